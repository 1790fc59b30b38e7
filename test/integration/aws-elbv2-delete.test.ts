/**
 * `aws.elbv2-delete` against a private moto server: real HTTP, real SDK calls, real ports.
 * Note: moto derives an LB's DNS name from its name (shop-public-1.<region>.elb.amazonaws.com), so a
 * re-created LB gets a new ARN but the same DNS name here. Where the re-point must be seen, the test
 * breaks the record first; a differing DNS name is covered with aws-sdk-client-mock in
 * test/injectors/aws-elbv2-delete/recreate.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import * as R53 from '@aws-sdk/client-route-53';
import { awsElbv2Delete, type ElbUndo } from '../../src/injectors/aws-elbv2-delete/index.js';
import type { FaultRef, InjectorContext } from '../../src/injectors/contract.js';
import { GamedayError } from '../../src/core/errors.js';
import { describeInjectorContract } from '../helpers/contract-suite.js';
import { lbsNamed, recordsOf, seedNetwork, seedShopLb, startWorld, type AwsWorld, type Net, type ShopLb } from '../helpers/sandbox/aws-world.js';

const inj = awsElbv2Delete;
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
let n = 0;
const ref = (): FaultRef => ({ faultId: `f${++n}`, drillId: 'drill-elb', deadline: Date.now() + 600_000, attached: true });

async function prepared(ctx: InjectorContext, spec: Record<string, unknown>) {
  const sel = await inj.select(ctx as never, inj.targetSchema.parse(spec), {}, () => 0.5);
  const target = sel.targets[0]!;
  const r = ref();
  const undo = json(await inj.prepare(ctx as never, target, {}, r));
  return { sel, target, r, undo };
}

/** Everything that should come back, as comparable data. */
async function shape(world: AwsWorld, lbArn: string) {
  const elb = await world.clients.get('elbv2');
  const listeners = (await elb.send(new ELB.DescribeListenersCommand({ LoadBalancerArn: lbArn }))).Listeners ?? [];
  const out = [];
  for (const l of listeners.sort((a, b) => a.Port! - b.Port!)) {
    const rules = ((await elb.send(new ELB.DescribeRulesCommand({ ListenerArn: l.ListenerArn }))).Rules ?? []).filter((r) => !r.IsDefault);
    const certs = ((await elb.send(new ELB.DescribeListenerCertificatesCommand({ ListenerArn: l.ListenerArn }))).Certificates ?? []).map((c) => c.CertificateArn).sort();
    out.push({
      protocol: l.Protocol,
      port: l.Port,
      sslPolicy: l.Protocol === 'HTTPS' ? l.SslPolicy : undefined,
      defaultActions: l.DefaultActions?.map((a) => ({ type: a.Type, tg: a.TargetGroupArn })),
      certs,
      rules: rules.map((r) => ({ priority: r.Priority, conditions: r.Conditions?.map((c) => ({ field: c.Field, path: c.PathPatternConfig?.Values, host: c.HostHeaderConfig?.Values })), actions: r.Actions?.map((a) => ({ type: a.Type, tg: a.TargetGroupArn, fixed: a.FixedResponseConfig })) })),
    });
  }
  const attrs = Object.fromEntries(((await elb.send(new ELB.DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn }))).Attributes ?? []).map((a) => [a.Key, a.Value]));
  const tags = ((await elb.send(new ELB.DescribeTagsCommand({ ResourceArns: [lbArn] }))).TagDescriptions?.[0]?.Tags ?? []).map((t) => `${t.Key}=${t.Value}`).sort();
  const [lb] = (await elb.send(new ELB.DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }))).LoadBalancers ?? [];
  return { listeners: out, attrs, tags, lb: { type: lb?.Type, scheme: lb?.Scheme, ip: lb?.IpAddressType, sgs: lb?.SecurityGroups, subnets: lb?.AvailabilityZones?.map((z) => z.SubnetId).sort() } };
}

describeInjectorContract('aws.elbv2-delete', async () => {
  const world = await startWorld();
  const net = await seedNetwork(world.clients);
  await seedShopLb(world, net);
  return { injector: inj, ctx: world.ctx, target: { name: 'shop-public' }, params: {}, cleanup: () => world.stop() };
});

describe('aws.elbv2-delete against moto', () => {
  let world: AwsWorld;
  let net: Net;
  let shop: ShopLb;
  beforeAll(async () => {
    world = await startWorld({ hostedZones: ['shop.example.'] });
    net = await seedNetwork(world.clients);
    shop = await seedShopLb(world, net);
  });
  afterAll(async () => world?.stop());

  it('selects by name, ARN and tag and reports the opt-in tag truthfully (untagged → optedIn false)', async () => {
    await seedShopLb(world, net, { name: 'untagged-lb', tags: [{ Key: 'team', Value: 'ops' }], zone: 'ops.example.' });
    const byName = await inj.select(world.ctx as never, inj.targetSchema.parse({ name: 'shop-public' }), {}, Math.random);
    const byArn = await inj.select(world.ctx as never, inj.targetSchema.parse({ arn: shop.lbArn }), {}, Math.random);
    const byTag = await inj.select(world.ctx as never, inj.targetSchema.parse({ tag: 'team=shop' }), {}, Math.random);
    const untagged = await inj.select(world.ctx as never, inj.targetSchema.parse({ name: 'untagged-lb' }), {}, Math.random);
    expect(byName.targets.map((t) => [t.id, t.scope])).toEqual([['shop-public', { resource: 'loadbalancer shop-public', optedIn: true }]]);
    expect(byArn.targets[0]!.data.arn).toBe(shop.lbArn);
    expect(byTag.targets.map((t) => t.id)).toEqual(['shop-public']);
    expect(untagged.targets[0]!.scope).toEqual({ resource: 'loadbalancer untagged-lb', optedIn: false });
  });

  it('refuses a load balancer with deletion protection on, and leaves it (and its protection) alone', async () => {
    const p = await seedShopLb(world, net, { name: 'protected-lb', deletionProtection: true, zone: 'protected.example.' });
    const err = await inj.select(world.ctx as never, inj.targetSchema.parse({ name: 'protected-lb' }), {}, Math.random).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GamedayError);
    expect((err as GamedayError).code).toBe('GUARD_REFUSED');
    expect((err as GamedayError).message).toMatch(/deletion protection on; gameday will not turn it off/);
    const elb = await world.clients.get('elbv2');
    const attrs = (await elb.send(new ELB.DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: p.lbArn }))).Attributes ?? [];
    expect(attrs.find((a) => a.Key === 'deletion_protection.enabled')?.Value).toBe('true');
    expect(await lbsNamed(world, 'protected-lb')).toHaveLength(1);
  });

  it('re-checks deletion protection when preparing: turned on after the plan → refused, nothing deleted', async () => {
    const p = await seedShopLb(world, net, { name: 'late-protect', zone: 'late.example.' });
    const sel = await inj.select(world.ctx as never, inj.targetSchema.parse({ name: 'late-protect' }), {}, Math.random);
    const elb = await world.clients.get('elbv2');
    await elb.send(new ELB.ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: p.lbArn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }] }));
    await expect(inj.prepare(world.ctx as never, sel.targets[0]!, {}, ref())).rejects.toMatchObject({ code: 'GUARD_REFUSED' });
    expect((await lbsNamed(world, 'late-protect')).map((l) => l.LoadBalancerArn)).toEqual([p.lbArn]);
  });

  it('says so when nothing matches', async () => {
    const err = await inj.select(world.ctx as never, inj.targetSchema.parse({ name: 'no-such-lb' }), {}, Math.random).catch((e: unknown) => e);
    expect((err as GamedayError).code).toBe('INVALID_INPUT');
    expect((err as GamedayError).message).toBe('no load balancer named no-such-lb in eu-west-1');
  });

  it('delete → revert re-creates listeners, rules, certificates, attributes, tags and TG attachments, and re-points Route 53; revert again changes nothing', async () => {
    const before = await shape(world, shop.lbArn);
    const { target, r, undo } = await prepared(world.ctx, { name: 'shop-public' });
    const snap = (undo as ElbUndo).snapshot;
    expect(snap.listeners.map((l) => `${l.protocol}:${l.port}:${l.rules.length}:${l.certificates.length}`)).toEqual(['HTTP:80:2:0', 'HTTPS:443:0:2']);
    expect(snap.records.map((x) => `${x.record.Name} ${x.record.Type}`).sort()).toEqual(['api.shop.example. CNAME', 'www.shop.example. A']);
    expect(inj.describeRevert(undo, target)).toBe('re-create application load balancer shop-public (2 listeners, 2 rules, 2 tags) and re-point 2 Route 53 records to its new DNS name');

    const injected = await inj.inject(world.ctx as never, target, {}, undo, r);
    expect(injected).toMatchObject({ deleted: true, arn: shop.lbArn });
    expect(await lbsNamed(world, 'shop-public')).toHaveLength(0);
    expect((await inj.verify(world.ctx as never, undo, 'injected', r)).ok).toBe(true);

    // a deleted LB leaves its target groups behind, and they no longer point at it
    // (break the records while it is gone, as a team fixing by hand might: revert must re-point them)
    const r53 = await world.clients.get('route53');
    await r53.send(
      new R53.ChangeResourceRecordSetsCommand({
        HostedZoneId: shop.zoneId,
        ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: 'www.shop.example.', Type: 'A', AliasTarget: { HostedZoneId: 'Z2P70J7EXAMPLE', DNSName: 'dualstack.broken.example.com.', EvaluateTargetHealth: true } } }] },
      }),
    );

    const progress: string[] = [];
    const ctx = { ...world.ctx, progress: (m: string) => progress.push(m) };
    const t0 = Date.now();
    const out = await inj.revert(ctx as never, json(undo), r);
    const revertMs = Date.now() - t0;
    console.log(`[figure] elbv2 re-create on moto: ${revertMs} ms (detail elapsedMs ${String(out.detail?.elapsedMs)})`);
    expect(out.outcome).toBe('reverted');
    const [lb] = await lbsNamed(world, 'shop-public');
    expect(lb).toBeDefined();
    expect(lb!.LoadBalancerArn).not.toBe(shop.lbArn);
    expect(out.detail).toMatchObject({ oldArn: shop.lbArn, newArn: lb!.LoadBalancerArn, newDnsName: lb!.DNSName, created: true, listenersCreated: 2, rulesCreated: 2, certificatesAdded: 1, recordsRepointed: ['www.shop.example. A'] });
    expect(progress.some((m) => m.includes(`new ARN ${lb!.LoadBalancerArn}`))).toBe(true);

    const after = await shape(world, lb!.LoadBalancerArn!);
    expect(after.listeners).toEqual(before.listeners);
    expect(after.lb).toEqual(before.lb);
    expect(after.attrs['idle_timeout.timeout_seconds']).toBe('120');
    expect(after.tags).toEqual([...before.tags, 'gameday:drill=drill-elb', `gameday:recreated-from=${shop.lbArn}`].sort());
    const elb = await world.clients.get('elbv2');
    const tgs = (await elb.send(new ELB.DescribeTargetGroupsCommand({ TargetGroupArns: [shop.webTg, shop.apiTg] }))).TargetGroups ?? [];
    for (const tg of tgs) expect(tg.LoadBalancerArns).toContain(lb!.LoadBalancerArn);
    expect(Object.keys(out.detail?.targetHealth as object).length).toBe(2);

    const records = await recordsOf(world, shop.zoneId);
    const www = records.find((x) => x.Name === 'www.shop.example.');
    expect(www?.AliasTarget?.DNSName).toBe(`dualstack.${lb!.DNSName}.`);
    expect(www?.AliasTarget?.HostedZoneId).toBe(lb!.CanonicalHostedZoneId);
    expect(records.find((x) => x.Name === 'api.shop.example.')?.ResourceRecords).toEqual([{ Value: lb!.DNSName }]);
    expect(records.find((x) => x.Name === 'other.shop.example.')?.ResourceRecords).toEqual([{ Value: 'elsewhere.example.com' }]);
    const verified = await inj.verify(world.ctx as never, undo, 'reverted', r);
    expect(verified.ok, verified.detail).toBe(true);

    // revert again: nothing changes
    const again = await inj.revert(world.ctx as never, json(undo), r);
    expect(again.outcome).toBe('already-reverted');
    expect(again.detail).toMatchObject({ newArn: lb!.LoadBalancerArn, listenersCreated: 0, rulesCreated: 0, certificatesAdded: 0, recordsRepointed: [] });
    const still = await lbsNamed(world, 'shop-public');
    expect(still.map((l) => l.LoadBalancerArn)).toEqual([lb!.LoadBalancerArn]);
    expect(await shape(world, lb!.LoadBalancerArn!)).toEqual(after);
    shop = { ...shop, lbArn: lb!.LoadBalancerArn!, dnsName: lb!.DNSName! };
  });

  it('crash between the journaled snapshot and the delete: revert from the JSON alone (fresh process) leaves the LB present exactly once', async () => {
    const { r, undo } = await prepared(world.ctx, { name: 'shop-public' });
    const journaled = JSON.stringify(undo); // what the runner fsynced; the process dies here
    const fresh = await world.fresh();
    try {
      const out = await inj.revert(fresh.ctx as never, JSON.parse(journaled) as ElbUndo, r);
      expect(out.outcome).toBe('nothing-to-revert');
      expect((await lbsNamed(world, 'shop-public')).map((l) => l.LoadBalancerArn)).toEqual([shop.lbArn]);
    } finally {
      await fresh.close();
    }
  });

  it('crash between the delete and its outcome, and again in the middle of the revert: resumed reverts leave the LB present exactly once, complete', async () => {
    const { target, r, undo } = await prepared(world.ctx, { name: 'shop-public' });
    const journaled = JSON.stringify(undo);
    await inj.inject(world.ctx as never, target, {}, undo, r); // deleted; the process dies before journaling the outcome
    expect(await lbsNamed(world, 'shop-public')).toHaveLength(0);

    // first recover dies after the LB was created, before any listener (simulated by a port that fails there)
    const crashing = await world.fresh();
    const ports = crashing.ctx.ports as unknown as { elbv2: { createListener: unknown } };
    ports.elbv2.createListener = async () => {
      throw new Error('simulated crash after CreateLoadBalancer');
    };
    await expect(inj.revert(crashing.ctx as never, JSON.parse(journaled) as ElbUndo, r)).rejects.toThrow(/simulated crash/);
    await crashing.close();
    const half = await lbsNamed(world, 'shop-public');
    expect(half).toHaveLength(1);

    // the next recover (another fresh process) finds its own LB by name + tag and finishes it
    const fresh = await world.fresh();
    try {
      const out = await inj.revert(fresh.ctx as never, JSON.parse(journaled) as ElbUndo, r);
      expect(out.outcome).toBe('reverted');
      expect(out.detail).toMatchObject({ newArn: half[0]!.LoadBalancerArn, listenersCreated: 2, rulesCreated: 2 });
      expect(out.detail?.created).toBeUndefined();
      const again = await inj.revert(fresh.ctx as never, JSON.parse(journaled) as ElbUndo, r);
      expect(again.outcome).toBe('already-reverted');
      const lbs = await lbsNamed(world, 'shop-public');
      expect(lbs.map((l) => l.LoadBalancerArn)).toEqual([half[0]!.LoadBalancerArn]);
      expect((await inj.verify(fresh.ctx as never, JSON.parse(journaled) as ElbUndo, 'reverted', r)).ok).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('a network load balancer (internal, TCP and UDP listeners, no security groups) comes back the same', async () => {
    const elb = await world.clients.get('elbv2');
    const nlb = (await elb.send(new ELB.CreateLoadBalancerCommand({ Name: 'db-proxy', Type: 'network', Scheme: 'internal', Subnets: net.subnets, Tags: [{ Key: 'gameday:enabled', Value: 'true' }] }))).LoadBalancers![0]!;
    const tcp = (await elb.send(new ELB.CreateTargetGroupCommand({ Name: 'db-proxy-tcp', Protocol: 'TCP', Port: 5432, VpcId: net.vpcId, TargetType: 'ip' }))).TargetGroups![0]!.TargetGroupArn!;
    const udp = (await elb.send(new ELB.CreateTargetGroupCommand({ Name: 'db-proxy-udp', Protocol: 'UDP', Port: 53, VpcId: net.vpcId, TargetType: 'ip' }))).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(new ELB.CreateListenerCommand({ LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'TCP', Port: 5432, DefaultActions: [{ Type: 'forward', TargetGroupArn: tcp }] }));
    await elb.send(new ELB.CreateListenerCommand({ LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'UDP', Port: 53, DefaultActions: [{ Type: 'forward', TargetGroupArn: udp }] }));
    const before = await shape(world, nlb.LoadBalancerArn!);

    const { target, r, undo } = await prepared(world.ctx, { arn: nlb.LoadBalancerArn });
    expect(inj.describeRevert(undo, target)).toBe('re-create network load balancer db-proxy (2 listeners, 0 rules, 1 tag)');
    await inj.inject(world.ctx as never, target, {}, undo, r);
    expect(await lbsNamed(world, 'db-proxy')).toHaveLength(0);
    expect((await inj.revert(world.ctx as never, json(undo), r)).outcome).toBe('reverted');
    const [again] = await lbsNamed(world, 'db-proxy');
    const after = await shape(world, again!.LoadBalancerArn!);
    expect(after.listeners).toEqual(before.listeners);
    expect(after.lb).toEqual(before.lb);
    expect(again!.Type).toBe('network');
    expect(again!.Scheme).toBe('internal');
  });

  it('an LB of the same name that gameday did not create (a controller reconciled it) is left alone', async () => {
    const { target, r, undo } = await prepared(world.ctx, { name: 'shop-public' });
    await inj.inject(world.ctx as never, target, {}, undo, r);
    const elb = await world.clients.get('elbv2');
    const theirs = (await elb.send(new ELB.CreateLoadBalancerCommand({ Name: 'shop-public', Subnets: net.subnets, SecurityGroups: [net.securityGroup] }))).LoadBalancers![0]!;
    const out = await inj.revert(world.ctx as never, json(undo), r);
    expect(out.outcome).toBe('already-reverted');
    expect(String(out.detail?.note)).toMatch(/did not re-create/);
    expect((await lbsNamed(world, 'shop-public')).map((l) => l.LoadBalancerArn)).toEqual([theirs.LoadBalancerArn]);
    expect((await elb.send(new ELB.DescribeListenersCommand({ LoadBalancerArn: theirs.LoadBalancerArn }))).Listeners).toEqual([]);
  });
});
