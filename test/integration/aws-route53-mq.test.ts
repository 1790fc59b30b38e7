/**
 * `aws.route53-weight` and `aws.mq-reboot` against a private moto server (real HTTP, real SDK):
 * the shared contract, the journaled weights restored exactly, opt-in by the zone's / broker's
 * tag, and what the broker reboot reports where moto accepts RebootBroker without modelling it.
 */
import * as R53 from '@aws-sdk/client-route-53';
import * as MQ from '@aws-sdk/client-mq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRoute53Weight, type WeightUndo } from '../../src/injectors/aws-route53-weight/index.js';
import { awsMqReboot } from '../../src/injectors/aws-mq-reboot/index.js';
import type { AnyInjector, FaultRef } from '../../src/injectors/contract.js';
import { resolvePlan } from '../../src/runner/plan.js';
import { refusals } from '../../src/core/guards.js';
import { describeInjectorContract } from '../helpers/contract-suite.js';
import { OPT_IN, startWorld, type AwsWorld } from '../helpers/sandbox/aws-world.js';

const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
let n = 0;
const ref = (): FaultRef => ({ faultId: `f${++n}`, drillId: 'drill-dns-mq', attached: true, deadline: Date.now() + 60_000 });

/** A hosted zone with a weighted A record set: `new` takes all traffic, `old` none (the seed's cut-over). */
async function seedWeighted(world: AwsWorld, zone: string, tagged = true): Promise<string> {
  const r53 = await world.clients.get('route53');
  const id = (await r53.send(new R53.CreateHostedZoneCommand({ Name: zone, CallerReference: `${zone}-${Date.now()}` }))).HostedZone!.Id!.replace(/^\/hostedzone\//, '');
  if (tagged) await r53.send(new R53.ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, AddTags: [OPT_IN] }));
  const rec = (set: string, weight: number, ip: string): R53.ResourceRecordSet => ({ Name: `api.${zone}`, Type: 'A', SetIdentifier: set, Weight: weight, TTL: 60, ResourceRecords: [{ Value: ip }] });
  await r53.send(new R53.ChangeResourceRecordSetsCommand({ HostedZoneId: id, ChangeBatch: { Changes: [rec('new', 100, '10.0.0.1'), rec('old', 0, '10.0.0.2')].map((r) => ({ Action: 'UPSERT', ResourceRecordSet: r })) } }));
  return id;
}

async function weightedSets(world: AwsWorld, zoneId: string): Promise<R53.ResourceRecordSet[]> {
  const r53 = await world.clients.get('route53');
  const all = (await r53.send(new R53.ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets ?? [];
  return all.filter((r) => r.SetIdentifier).sort((a, b) => a.SetIdentifier!.localeCompare(b.SetIdentifier!));
}

async function seedBroker(world: AwsWorld, name: string, tagged = true): Promise<string> {
  const mq = await world.clients.get('mq');
  const res = await mq.send(
    new MQ.CreateBrokerCommand({
      BrokerName: name,
      DeploymentMode: 'ACTIVE_STANDBY_MULTI_AZ',
      EngineType: 'ACTIVEMQ',
      EngineVersion: '5.18',
      HostInstanceType: 'mq.m5.large',
      PubliclyAccessible: false,
      AutoMinorVersionUpgrade: true,
      Users: [{ Username: 'shop', Password: 'shop-password-1' }],
      ...(tagged ? { Tags: { [OPT_IN.Key]: OPT_IN.Value } } : {}),
    }),
  );
  return res.BrokerId!;
}

describeInjectorContract('aws.route53-weight', async () => {
  const world = await startWorld();
  const zoneId = await seedWeighted(world, 'contract.example.');
  return {
    injector: awsRoute53Weight,
    ctx: world.ctx,
    target: { zone: 'contract.example', name: 'api.contract.example' },
    params: { shiftTo: 'old' },
    vanish: async () => {
      const r53 = await world.clients.get('route53');
      const sets = await weightedSets(world, zoneId);
      await r53.send(new R53.ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: sets.map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })) } }));
    },
    cleanup: () => world.stop(),
  };
});

describeInjectorContract('aws.mq-reboot', async () => {
  const world = await startWorld();
  await seedBroker(world, 'contract-mq');
  return { injector: awsMqReboot, ctx: world.ctx, target: { broker: 'contract-mq' }, params: {}, cleanup: () => world.stop() };
});

describe('aws.route53-weight and aws.mq-reboot against moto', () => {
  let world: AwsWorld;
  let zoneId: string;
  beforeAll(async () => {
    world = await startWorld();
    zoneId = await seedWeighted(world, 'shop.example.');
    await seedWeighted(world, 'closed.example.', false);
    await seedBroker(world, 'shop-mq');
    await seedBroker(world, 'closed-mq', false);
  });
  afterAll(async () => world?.stop());

  const run = async (inj: AnyInjector, target: Record<string, unknown>, params: Record<string, unknown>) => {
    const spec = inj.targetSchema.parse(target);
    const p = inj.paramsSchema.parse(params);
    const sel = await inj.select(world.ctx, spec, p, Math.random);
    const r = ref();
    const undo = json(await inj.prepare(world.ctx, sel.targets[0]!, p, r));
    const injected = (await inj.inject(world.ctx, sel.targets[0]!, p, undo, r)) as Record<string, unknown>;
    return { sel, undo, r, injected };
  };

  it('shifts all traffic to the old stack, then restores exactly the journaled record sets', async () => {
    const before = await weightedSets(world, zoneId);
    const { sel, undo, r } = await run(awsRoute53Weight, { zone: 'shop.example', name: 'api.shop.example' }, { shiftTo: 'old' });
    expect(sel.notes?.[0]).toBe('record set api.shop.example. A: new=100, old=0 → new=0, old=100; TTL 60 s: resolvers follow within it');
    expect(sel.targets[0]!.scope).toMatchObject({ optedIn: true });
    expect((await weightedSets(world, zoneId)).map((s) => [s.SetIdentifier, s.Weight])).toEqual([
      ['new', 0],
      ['old', 100],
    ]);
    expect((await awsRoute53Weight.verify(world.ctx, undo, 'injected', r)).ok).toBe(true);
    expect((await awsRoute53Weight.revert(world.ctx, undo, r)).outcome).toBe('reverted');
    expect(await weightedSets(world, zoneId)).toEqual(before);
    expect((await awsRoute53Weight.revert(world.ctx, undo, r)).outcome).toBe('already-reverted');
  });

  it('explicit weights; a set the team already put back is left alone by the revert', async () => {
    const { undo, r } = await run(awsRoute53Weight, { zone: 'shop.example', name: 'api.shop.example' }, { weights: { new: 10, old: 90 } });
    const r53 = await world.clients.get('route53');
    const back = (undo as WeightUndo).before.find((s) => s.SetIdentifier === 'new')!;
    await r53.send(new R53.ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: back }] } }));
    const out = await awsRoute53Weight.revert(world.ctx, undo, r);
    expect(out.outcome).toBe('reverted');
    expect((await weightedSets(world, zoneId)).map((s) => [s.SetIdentifier, s.Weight])).toEqual([
      ['new', 100],
      ['old', 0],
    ]);
  });

  it('one-line errors name the zone, the record and the set identifiers', async () => {
    const sel = (t: Record<string, unknown>, p: Record<string, unknown>) => awsRoute53Weight.select(world.ctx, awsRoute53Weight.targetSchema.parse(t), awsRoute53Weight.paramsSchema.parse(p), Math.random);
    await expect(sel({ zone: 'nowhere.example', name: 'api.nowhere.example' }, { shiftTo: 'old' })).rejects.toThrow(/no hosted zone nowhere.example/);
    await expect(sel({ zone: 'shop.example', name: 'www.shop.example' }, { shiftTo: 'old' })).rejects.toThrow(/no weighted record set www.shop.example. A in zone shop.example./);
    await expect(sel({ zone: 'shop.example', name: 'api.shop.example' }, { shiftTo: 'blue' })).rejects.toThrow('shiftTo: no set identifier blue (sets: new, old)');
    await expect(sel({ zone: 'shop.example', name: 'api.shop.example' }, { shiftTo: 'new' })).rejects.toThrow(/already has weights new=100, old=0: nothing would shift/);
    expect(awsRoute53Weight.paramsSchema.safeParse({}).success).toBe(false);
  });

  it('reboots the broker; observe reports it RUNNING again and that moto showed no REBOOTING state', async () => {
    const { sel, undo, r, injected } = await run(awsMqReboot, { broker: 'shop-mq' }, { timeout: '10s' });
    expect(sel.notes?.[0]).toMatch(/^broker shop-mq \(.+\): ACTIVEMQ 5.18, ACTIVE_STANDBY_MULTI_AZ: clients with a failover: URL should move to the standby$/);
    expect(injected).toMatchObject({ mode: 'ACTIVE_STANDBY_MULTI_AZ', stateAfterCall: 'RUNNING' });
    const reports: Record<string, unknown>[] = [];
    await awsMqReboot.observe!(world.ctx, undo, injected, async (d) => void reports.push(d), r);
    expect(reports).toEqual([expect.objectContaining({ state: 'RUNNING', running: true, rebootSeen: false })]);
    expect((await awsMqReboot.revert(world.ctx, undo, r)).outcome).toBe('nothing-to-revert');
    await expect(awsMqReboot.select(world.ctx, { broker: 'no-such-mq' }, { timeoutMs: 1 } as never, Math.random)).rejects.toThrow(/no broker no-such-mq in eu-west-1/);
  });

  it('guards on the plan: an untagged zone and an untagged broker are refused, nothing changes', async () => {
    const env = world.env;
    const plan = (kind: string, target: Record<string, string>, params: Record<string, unknown> = {}) =>
      resolvePlan({ env, faults: [{ kind, target, params }], seed: 1, halt: { halted: false } }, { ports: world.ports, signal: new AbortController().signal });
    const z = await plan('aws.route53-weight', { zone: 'closed.example', name: 'api.closed.example' }, { shiftTo: 'old' });
    expect(refusals(z.verdicts).map((v) => v.detail)).toEqual(['fault 1 (aws.route53-weight): record set api.closed.example. A in closed.example. has not opted in (it lacks the tag gameday:enabled=true)']);
    const b = await plan('aws.mq-reboot', { broker: 'closed-mq' });
    expect(refusals(b.verdicts).map((v) => v.detail)).toEqual([expect.stringMatching(/^fault 1 \(aws\.mq-reboot\): broker closed-mq \(.+\) has not opted in \(it lacks the tag gameday:enabled=true\)$/)]);
  });
});
