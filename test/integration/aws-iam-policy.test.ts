/**
 * The policy `gameday iam` prints, enforced by a local AWS endpoint. A private moto server (its
 * own port on 127.0.0.1; the test fails if it cannot start) is seeded with the library's world for
 * node-stopped, lb-deleted, db-failover, weighted-dns-old-stack and broker-rebooted, plus a
 * scenario of this test's own for aws.ec2-terminate; an IAM user is given exactly the policy
 * `gameday iam` prints for them (Resources widened to "*", which moto cannot match otherwise:
 * helpers/sandbox/moto-iam.ts), IAM enforcement is switched on, and every AWS fault kind and the
 * rds probe run with that user's keys through the toolkit's own ports:
 * - every call the faults make (select, prepare, inject, verify, observe, revert — the ELB re-create
 *   included) is allowed, so the declarations cover what the code calls;
 * - calls outside the policy are AccessDenied, and so is adding the opt-in tag.
 * What moto does NOT check (resource ARNs, conditions) is asserted as moto's behaviour in the last
 * block, so docs/iam.md stays true if moto changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as EC2 from '@aws-sdk/client-ec2';
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import * as R53 from '@aws-sdk/client-route-53';
import * as RDS from '@aws-sdk/client-rds';
import * as MQ from '@aws-sdk/client-mq';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsClients } from '../../src/adapters/aws/clients.js';
import { createAwsPorts } from '../../src/adapters/aws/index.js';
import { createAlarmProbePort, createRdsProbePort } from '../../src/adapters/probes/aws.js';
import type { IamPolicyDocument } from '../../src/core/aws-access.js';
import type { AnyInjector, FaultRef, InjectorContext } from '../../src/injectors/contract.js';
import { awsEc2Stop } from '../../src/injectors/aws-ec2-stop/index.js';
import { awsElbv2Delete } from '../../src/injectors/aws-elbv2-delete/index.js';
import { awsRdsFailover } from '../../src/injectors/aws-rds-failover/index.js';
import { awsRoute53Weight } from '../../src/injectors/aws-route53-weight/index.js';
import { awsMqReboot } from '../../src/injectors/aws-mq-reboot/index.js';
import { awsEc2Terminate } from '../../src/injectors/aws-ec2-terminate/index.js';
import { cloudwatchAlarmProbe } from '../../src/probes/cloudwatch-alarm.js';
import { rdsProbe } from '../../src/probes/rds.js';
import { MAX_ATTEMPTS } from '../../src/adapters/aws/bounded.js';
import { contextWith } from '../helpers/contract-suite.js';
import { gamedayInProcess } from '../helpers/in-process-cli.js';
import { OPT_IN, REGION, runInstances, seedAsg, seedCluster, seedNetwork, seedShopLb, startWorld, type AwsWorld, type Net, type ShopLb } from '../helpers/sandbox/aws-world.js';
import { ALLOW_ALL, createIamUser, enforceIam, motoEvaluable, type AccessKeys } from '../helpers/sandbox/moto-iam.js';

const LIBRARY = ['node-stopped', 'lb-deleted', 'db-failover', 'weighted-dns-old-stack', 'broker-rebooted'];
/** no library scenario rolls an Auto Scaling group: one of the test's own */
const ROLL_ASG = `id: asg-rolled
title: Roll the web group
summary: one instance of web-asg is terminated
briefing: Oh no! A machine vanished.
faults:
  - kind: aws.ec2-terminate
    target: { asg: web-asg }
    params: { count: 1 }
`;
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
let n = 0;
const ref = (): FaultRef => ({ faultId: `iam${++n}`, drillId: 'drill-iam', deadline: Date.now() + 600_000, attached: true });

let world: AwsWorld;
let net: Net;
let policy: IamPolicyDocument;
let drill: { ctx: InjectorContext; clients: AwsClients };
let literal: { ctx: InjectorContext; clients: AwsClients };
/** may tag anything, except what the printed policy's opt-in Deny forbids */
let tagger: { ctx: InjectorContext; clients: AwsClients };
let admin: AwsClients;
let node: string;
let untagged: string;
let shop: ShopLb;

/** weighted-dns-old-stack's record set, in lb-deleted's zone (whose api CNAME it replaces), the zone opted in. */
async function seedWeightedApi(zoneId: string): Promise<void> {
  const r53 = await world.clients.get('route53');
  const cname = (await r53.send(new R53.ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets!.find((r) => r.Name === 'api.shop.example.' && r.Type === 'CNAME')!;
  const weighted = (set: string, weight: number, ip: string): R53.ResourceRecordSet => ({ Name: 'api.shop.example.', Type: 'A', SetIdentifier: set, Weight: weight, TTL: 60, ResourceRecords: [{ Value: ip }] });
  const Changes = [{ Action: 'DELETE' as const, ResourceRecordSet: cname }, ...[weighted('kubernetes', 100, '10.0.0.1'), weighted('beanstalk', 0, '10.0.0.2')].map((r) => ({ Action: 'UPSERT' as const, ResourceRecordSet: r }))];
  await r53.send(new R53.ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes } }));
  await r53.send(new R53.ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId, AddTags: [OPT_IN] }));
}

async function seedBroker(name: string): Promise<void> {
  const mq = await world.clients.get('mq');
  const Users = [{ Username: 'shop', Password: 'shop-password-1' }];
  await mq.send(new MQ.CreateBrokerCommand({ BrokerName: name, DeploymentMode: 'ACTIVE_STANDBY_MULTI_AZ', EngineType: 'ACTIVEMQ', EngineVersion: '5.18', HostInstanceType: 'mq.m5.large', PubliclyAccessible: false, AutoMinorVersionUpgrade: true, Users, Tags: { [OPT_IN.Key]: OPT_IN.Value } }));
}

/** Clients and injector context as the toolkit builds them, signed with these keys. */
async function signedAs(keys: AccessKeys): Promise<{ ctx: InjectorContext; clients: AwsClients }> {
  const clients = new AwsClients({ region: REGION, endpoint: world.endpoint, credentials: keys, maxAttempts: MAX_ATTEMPTS });
  const ports = await createAwsPorts(world.env, ['ec2', 'elbv2', 'route53', 'rds', 'autoscaling', 'mq'], clients);
  return { ctx: contextWith(ports as Record<string, unknown>, world.env), clients };
}

/** The policy exactly as `gameday iam` prints it (stdout is the document). */
async function printedPolicy(): Promise<IamPolicyDocument> {
  const dir = mkdtempSync(join(tmpdir(), 'gd-iam-'));
  writeFileSync(join(dir, 'asg-rolled.yaml'), ROLL_ASG);
  const r = await gamedayInProcess(['iam', ...LIBRARY, join(dir, 'asg-rolled.yaml')], { cwd: process.cwd() });
  rmSync(dir, { recursive: true, force: true });
  if (r.code !== 0) throw new Error(`gameday iam failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as IamPolicyDocument;
}

const denied = async (call: () => Promise<unknown>): Promise<string> => {
  const e = await call().then(
    () => undefined,
    (err: unknown) => err as { name?: string; message?: string },
  );
  return e ? `${e.name}: ${e.message}` : 'allowed';
};

/** The whole life of one target, as the drill runner calls it: select, prepare, inject, verify, observe, revert, verify. */
async function cycle(inj: AnyInjector, ctx: InjectorContext, target: Record<string, unknown>, params: Record<string, unknown> = {}, whileInjected?: () => Promise<void>) {
  const p = inj.paramsSchema.parse(params);
  const sel = await inj.select(ctx, inj.targetSchema.parse(target), p, () => 0);
  expect(sel.targets.map((t: { scope: { optedIn: boolean } }) => t.scope.optedIn)).toEqual([true]);
  const r = ref();
  const undo = json(await inj.prepare(ctx, sel.targets[0]!, p, r));
  const facts = await inj.inject(ctx, sel.targets[0]!, p, undo, r);
  const injected = await inj.verify(ctx, undo, 'injected', r);
  const observed: Record<string, unknown>[] = [];
  await inj.observe?.(ctx, undo, facts, async (d: Record<string, unknown>) => void observed.push(d), r);
  await whileInjected?.();
  const reverted = await inj.revert(ctx, json(undo), r);
  const after = await inj.verify(ctx, undo, 'reverted', r);
  return { undo, injected, observed, reverted, after };
}

beforeAll(async () => {
  world = await startWorld();
  net = await seedNetwork(world.clients);
  node = (await runInstances(world, net, 1, [OPT_IN, { Key: 'Name', Value: 'sandbox-real-1' }]))[0]!;
  untagged = (await runInstances(world, net, 1, [{ Key: 'Name', Value: 'not-opted-in' }]))[0]!;
  shop = await seedShopLb(world, net);
  await seedCluster(world, 'shop-db', 2);
  await seedWeightedApi(shop.zoneId);
  await seedAsg(world, net, 'web-asg', 2);
  await seedBroker('shop-mq');
  policy = await printedPolicy();
  const drillKeys = await createIamUser(world.endpoint, 'gameday-drills', motoEvaluable(policy));
  const literalKeys = await createIamUser(world.endpoint, 'gameday-drills-literal', policy);
  const adminKeys = await createIamUser(world.endpoint, 'admin', ALLOW_ALL);
  const optInDeny = policy.Statement.find((s) => s.Sid === 'DenyOptInTagEc2')!;
  const taggerKeys = await createIamUser(world.endpoint, 'tagger', { Version: '2012-10-17', Statement: [{ Sid: 'Tag', Effect: 'Allow', Action: ['ec2:CreateTags'], Resource: ['*'] }, optInDeny] });
  await enforceIam(world.endpoint);
  drill = await signedAs(drillKeys);
  literal = await signedAs(literalKeys);
  tagger = await signedAs(taggerKeys);
  admin = new AwsClients({ region: REGION, endpoint: world.endpoint, credentials: adminKeys, maxAttempts: MAX_ATTEMPTS });
});

afterAll(async () => {
  for (const c of [drill?.clients, literal?.clients, tagger?.clients, admin]) await c?.destroy();
  await world?.stop();
});

const stateOf = async (id: string) => (await (await admin.get('ec2')).send(new EC2.DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];

describe('the printed policy, enforced by moto', () => {
  it('moto enforces IAM now: the toolkit’s own default keys are refused', async () => {
    const ec2 = await world.clients.get('ec2');
    expect(await denied(() => ec2.send(new EC2.DescribeInstancesCommand({})))).toMatch(/^AuthFailure/);
  });

  it('aws.ec2-stop (node-stopped): select → stop → verify → start → verify, all allowed', async () => {
    const r = await cycle(awsEc2Stop, drill.ctx, { name: 'sandbox-real-1' });
    expect(r.injected.ok).toBe(true);
    expect(r.reverted.outcome).toBe('reverted');
    expect(r.after).toEqual({ ok: true, detail: `instance ${node} (sandbox-real-1) is running` });
  });

  it('aws.elbv2-delete (lb-deleted): snapshot, delete, re-create with tags, listeners, rules, records, all allowed', async () => {
    // moto gives the re-created LB the same DNS name: break the alias while it is gone, so the revert must re-point it
    const breakAlias = async () => {
      const r53 = await admin.get('route53');
      const Changes = [{ Action: 'UPSERT' as const, ResourceRecordSet: { Name: 'www.shop.example.', Type: 'A' as const, AliasTarget: { HostedZoneId: 'Z2P70J7EXAMPLE', DNSName: 'dualstack.broken.example.com.', EvaluateTargetHealth: true } } }];
      await r53.send(new R53.ChangeResourceRecordSetsCommand({ HostedZoneId: shop.zoneId, ChangeBatch: { Changes } }));
    };
    const r = await cycle(awsElbv2Delete, drill.ctx, { name: 'shop-public' }, {}, breakAlias);
    expect((r.undo as { snapshot: { records: unknown[] } }).snapshot.records).toHaveLength(1);
    expect(r.injected).toEqual({ ok: true, detail: 'shop-public is deleted' });
    expect(r.reverted).toMatchObject({ outcome: 'reverted', detail: { created: true, listenersCreated: 2, rulesCreated: 2, certificatesAdded: 1, recordsRepointed: ['www.shop.example. A'] } });
    expect(r.after.ok).toBe(true);
    const elb = await admin.get('elbv2');
    const [lb] = (await elb.send(new ELB.DescribeLoadBalancersCommand({ Names: ['shop-public'] }))).LoadBalancers ?? [];
    const tags = (await elb.send(new ELB.DescribeTagsCommand({ ResourceArns: [lb!.LoadBalancerArn!] }))).TagDescriptions?.[0]?.Tags ?? [];
    // the re-created LB is opted in again (its tags came with the create, not a later AddTags)
    expect(tags).toEqual(expect.arrayContaining([OPT_IN, expect.objectContaining({ Key: 'gameday:recreated-from' })]));
  });

  it('aws.rds-failover and the rds probe (db-failover): allowed; the writer moved', async () => {
    const r = await cycle(awsRdsFailover, drill.ctx, { cluster: 'shop-db' }, { timeout: '20s' });
    expect(r.injected).toMatchObject({ ok: true, detail: expect.stringMatching(/^failed over: available, writer shop-db-2/) });
    expect(r.observed).toEqual([expect.objectContaining({ phase: 'failover', confirmed: true })]);
    const probe = await rdsProbe.check({ name: 'db', type: 'rds', cluster: 'shop-db' }, { ports: { rds: createRdsProbePort(drill.clients) } as never, timeoutMs: 5_000, signal: new AbortController().signal });
    expect(probe).toEqual({ ok: true, detail: 'available, writer shop-db-2' });
  });

  it('aws.route53-weight (weighted-dns-old-stack): read the zone’s tag, shift to beanstalk, restore, all allowed', async () => {
    const r = await cycle(awsRoute53Weight, drill.ctx, { zone: 'shop.example', name: 'api.shop.example', type: 'A' }, { shiftTo: 'beanstalk' });
    expect(r.injected).toMatchObject({ ok: true });
    expect(r.reverted).toMatchObject({ outcome: 'reverted', detail: { weights: { kubernetes: 100, beanstalk: 0 } } });
    expect(r.after.ok).toBe(true);
  });

  it('aws.mq-reboot (broker-rebooted) and aws.ec2-terminate (a group of the test’s own): allowed', async () => {
    const mq = await cycle(awsMqReboot, drill.ctx, { broker: 'shop-mq' });
    expect(mq.injected).toMatchObject({ ok: true, detail: expect.stringMatching(/^broker shop-mq \(.+\) is (RUNNING|REBOOT_IN_PROGRESS)$/) });
    expect(mq.observed).toEqual([expect.objectContaining({ running: true })]);
    const rolled = await cycle(awsEc2Terminate, drill.ctx, { asg: 'web-asg' }, { count: 1, replacementTimeout: '20s' });
    expect(rolled.observed).toEqual([expect.objectContaining({ asg: 'web-asg' })]);
    expect(rolled.injected).toMatchObject({ ok: true, detail: expect.stringMatching(/ is (shutting-down|terminated)$/) });
    expect(rolled.reverted.outcome).toBe('nothing-to-revert');
  });

  it('denies what the scenarios do not need: a DB cluster delete, an ELB target group delete, an alarm read', async () => {
    const rds = await drill.clients.get('rds');
    expect(await denied(() => rds.send(new RDS.DeleteDBClusterCommand({ DBClusterIdentifier: 'shop-db', SkipFinalSnapshot: true })))).toMatch(/^AccessDenied: .*not authorized to perform: rds:DeleteDBCluster/);
    expect((await (await admin.get('rds')).send(new RDS.DescribeDBClustersCommand({ DBClusterIdentifier: 'shop-db' }))).DBClusters).toHaveLength(1);
    const elb = await drill.clients.get('elbv2');
    expect(await denied(() => elb.send(new ELB.DeleteTargetGroupCommand({ TargetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/x/1' })))).toMatch(/^AccessDenied: .*elasticloadbalancing:DeleteTargetGroup/);
    // moto answers a denied CloudWatch call (a JSON-protocol service) with an XML error the SDK cannot parse:
    // the admin's identical read parses ("not found"), so the drill user's failure is the denial
    const alarm = (clients: AwsClients) => cloudwatchAlarmProbe.check({ name: 'a', type: 'cloudwatch-alarm', alarm: 'shop-5xx' }, { ports: { alarms: createAlarmProbePort(clients) } as never, timeoutMs: 5_000, signal: new AbortController().signal });
    expect(await alarm(admin)).toEqual({ ok: false, detail: 'alarm not found' });
    expect(await alarm(drill.clients)).toMatchObject({ ok: false, detail: expect.stringMatching(/^API: (.*not authorized to perform: cloudwatch:DescribeAlarms|Unexpected token '<', "<\?xml vers"\.\.\. is not valid JSON)/) });
  });

  it('denies adding the opt-in tag, on an instance and on a load balancer', async () => {
    const ec2 = await drill.clients.get('ec2');
    expect(await denied(() => ec2.send(new EC2.CreateTagsCommand({ Resources: [untagged], Tags: [OPT_IN] })))).toMatch(/^AccessDenied: .*ec2:CreateTags/);
    expect((await stateOf(untagged))?.Tags).not.toContainEqual(OPT_IN);
    const elb = await drill.clients.get('elbv2');
    const [lb] = (await elb.send(new ELB.DescribeLoadBalancersCommand({ Names: ['shop-public'] }))).LoadBalancers ?? [];
    expect(await denied(() => elb.send(new ELB.AddTagsCommand({ ResourceArns: [lb!.LoadBalancerArn!], Tags: [OPT_IN] })))).toMatch(/^AccessDenied: .*elasticloadbalancing:AddTags/);
  });
});

describe('what moto cannot check (docs/iam.md) — asserted as moto’s behaviour, so the doc stays true', () => {
  it('Resource ARNs: moto matches every statement against "*", so the policy as printed denies even its own actions', async () => {
    expect(await denied(() => literal.ctx.ports.ec2.stopInstances([untagged]))).toMatch(/^AccessDenied: .*ec2:StopInstances/);
    // its read-only statements are on "*" already, and pass
    expect(await denied(() => literal.ctx.ports.ec2.describeInstances({ ids: [untagged] }))).toBe('allowed');
  });

  it('Conditions: not evaluated — the opted-in Allow lets the drill user stop an instance WITHOUT the opt-in tag (AWS would refuse; the guards refuse before any call)', async () => {
    expect(await denied(() => drill.ctx.ports.ec2.stopInstances([untagged]))).toBe('allowed');
    expect((await stateOf(untagged))?.State?.Name).toBe('stopped');
  });

  it('Conditions: a conditional Deny denies unconditionally — with CreateTags allowed, the opt-in Deny refuses any tag here, not only the opt-in tag', async () => {
    const ec2 = await tagger.clients.get('ec2');
    expect(await denied(() => ec2.send(new EC2.CreateTagsCommand({ Resources: [untagged], Tags: [{ Key: 'team', Value: 'shop' }] })))).toMatch(/^AccessDenied: .*ec2:CreateTags/);
    expect((await stateOf(untagged))?.Tags).not.toContainEqual({ Key: 'team', Value: 'shop' });
  });
});
