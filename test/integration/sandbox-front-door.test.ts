/**
 * The front door follows the AWS state (src/sandbox/edge): www.shop.example through Route 53 → the
 * ALB → its listener → the target group's healthy instances → the real node's NodePort → checkout.
 *
 * AWS isolation: this file changes AWS, so it runs a front door of its own against a moto server of
 * its own, seeded with the sandbox's demo world and the same private IPs as the sandbox's instances
 * (so its targets are the sandbox's real nodes, reached through the sandbox's VPC relay socket).
 * The sandbox's own endpoint and front door are only read; each test holds the real-node network lock.
 *
 * moto names a load balancer's DNS after its name (shop-public-1.<region>.elb.amazonaws.com), so a
 * re-created LB keeps its DNS name here; a stale alias is made by pointing the record at a name no
 * load balancer has (what AWS leaves behind: the re-created LB's name is new).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import * as R53 from '@aws-sdk/client-route-53';
import * as EC2 from '@aws-sdk/client-ec2';
import { createAwsPorts } from '../../src/adapters/aws/index.js';
import type { AwsPorts } from '../../src/ports/aws.js';
import { awsElbv2Delete } from '../../src/injectors/aws-elbv2-delete/index.js';
import type { FaultRef, InjectorContext } from '../../src/injectors/contract.js';
import { startFrontDoor, type FrontDoor } from '../../src/sandbox/edge/front-door.js';
import { relaySockets, SHOP_HOST } from '../../src/sandbox/real-node/layout.js';
import { nodeRefs, seedAws, WWW_RECORD, type AwsWorld as SeededWorld, type NodeRef } from '../../src/sandbox/seed-aws.js';
import { contextWith } from '../helpers/contract-suite.js';
import { startMoto, type MotoServer } from '../helpers/sandbox/moto.js';
import { httpGet } from '../helpers/sandbox/real-node.js';
import { sandbox, waitUntil, withRealNodeNetwork } from '../helpers/sandbox/sandbox.js';

let moto: MotoServer;
let world: SeededWorld;
let door: FrontDoor;
let ctx: InjectorContext;
const logs: string[] = [];

/** One GET through our front door: the status, or the network error a client would see. */
const get = (path = '/checkout') => httpGet(`http://127.0.0.1:${door.port}`, path, SHOP_HOST, 8_000);
const statusOf = (r: Awaited<ReturnType<typeof get>>) => ('status' in r ? r.status : r.error);
/** Until a 200; on timeout the error says what the front door saw (its log) and the last answer. */
async function until200(what: string, timeoutMs = 30_000): Promise<void> {
  let last: unknown;
  try {
    await waitUntil(what, async () => statusOf((last = await get())) === 200, timeoutMs, 100);
  } catch (e) {
    throw new Error(`${(e as Error).message}; last answer ${JSON.stringify(last).slice(0, 300)}; front door log:\n${logs.slice(-15).join('\n')}`);
  }
}

beforeAll(async () => {
  const info = sandbox();
  const sw = info.world;
  if (!sw || !info.realNodes.length) throw new Error('the sandbox has no real nodes: the front door needs one (gameday sandbox up --real-nodes 1)');
  // the sandbox's nodes, in the same zones and with the same private IPs as its instances
  const refs: NodeRef[] = [...nodeRefs(info.nodes.length), ...nodeRefs(info.realNodes.length, 'sandbox-real')].map((r) => ({ ...r, ip: sw.privateIps[r.name] }));
  moto = await startMoto();
  world = await seedAws(moto.clients, refs);
  expect(world.privateIps).toEqual(sw.privateIps);
  const env = { aws: { region: moto.region, endpoint: moto.endpoint } };
  ctx = contextWith((await createAwsPorts({ ...contextWith({}).env, ...env, name: 'front-door-test' }, ['elbv2', 'route53'], moto.clients)) as unknown as Record<string, unknown>, env);
  door = await startFrontDoor({ host: '127.0.0.1', port: 0, clients: moto.clients, via: relaySockets(info.stateDir).front, log: (m) => logs.push(m), healthIntervalMs: 500 });
}, 120_000);

/** Each test under the real-node network lock (its targets are the sandbox's real node, which other files break), the shop whole first. */
const whole = (fn: () => Promise<void>) => () =>
  withRealNodeNetwork(async () => {
    await until200('the front door to route to the real node', 90_000);
    await fn();
  });

afterAll(async () => {
  await door?.close();
  await moto?.stop();
});

const ref = (): FaultRef => ({ faultId: 'f1', drillId: 'drill-front-door', deadline: Date.now() + 600_000, attached: true });

describe('the front door follows the AWS state', () => {
  it('routes www.shop.example to checkout on the real node (through the ALB shop-public)', whole(async () => {
    const r = await get();
    expect(statusOf(r)).toBe(200);
    expect('body' in r && JSON.parse(r.body)).toMatchObject({ ok: true, node: sandbox().realNodes[0] });
    expect(logs.join('\n')).toMatch(/www\.shop\.example → alias shop-public-1\.us-east-1\.elb\.amazonaws\.com → shop-public default action → shop-web/);
  }), 300_000);

  it('aws.elbv2-delete: 200 before, no answer at all during (the name has no address), 200 after the revert', whole(async () => {
    const inj = awsElbv2Delete;
    const sel = await inj.select(ctx as never, inj.targetSchema.parse({ name: 'shop-public' }), {}, () => 0.5);
    const target = sel.targets[0]!;
    const r = ref();
    const undo = JSON.parse(JSON.stringify(await inj.prepare(ctx as never, target, {}, r))) as Parameters<typeof inj.revert>[1];
    expect(statusOf(await get())).toBe(200);
    await inj.inject(ctx as never, target, {}, undo, r);
    const deleted = Date.now();
    const during = await waitUntil('the front door to stop routing', async () => {
      const g = await get();
      return statusOf(g) === 200 ? undefined : g;
    }, 10_000, 100);
    const brokenAfterMs = Date.now() - deleted;
    expect(during).toEqual({ error: 'ECONNRESET' });
    // and it stays broken: no load balancer, no route
    await new Promise((res) => setTimeout(res, 1_500));
    expect(statusOf(await get())).toBe('ECONNRESET');
    expect(logs.join('\n')).toMatch(/no load balancer has that DNS name/);

    const reverted = await inj.revert(ctx as never, undo, r);
    expect(reverted.outcome).toBe('reverted');
    const recreatedAt = Date.now();
    await until200('200 after the revert');
    const firstOkMs = Date.now() - recreatedAt;
    console.log(`front door: broken ${brokenAfterMs} ms after the delete; first 200 ${firstOkMs} ms after the re-created ALB`);
    expect((await inj.verify(ctx as never, undo, 'reverted', r)).ok).toBe(true);
  }), 300_000);

  it('a re-created load balancer with the alias left stale stays broken until the alias is re-pointed', whole(async () => {
    const elb = await moto.clients.get('elbv2');
    const r53 = await moto.clients.get('route53');
    const [lb] = (await elb.send(new ELB.DescribeLoadBalancersCommand({ Names: ['shop-public'] }))).LoadBalancers ?? [];
    const upsert = (dns: string) =>
      r53.send(
        new R53.ChangeResourceRecordSetsCommand({
          HostedZoneId: world.hostedZoneId,
          ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: WWW_RECORD, Type: 'A', AliasTarget: { HostedZoneId: lb!.CanonicalHostedZoneId!, DNSName: dns, EvaluateTargetHealth: true } } }] },
        }),
      );
    // the name the deleted load balancer had on AWS: no load balancer has it now
    await upsert('dualstack.shop-public-0a1b2c3d4e.us-east-1.elb.amazonaws.com.');
    await waitUntil('the stale alias to stop routing', async () => statusOf(await get()) === 'ECONNRESET', 10_000, 100);
    await new Promise((res) => setTimeout(res, 1_500));
    expect(statusOf(await get())).toBe('ECONNRESET');
    await upsert(`dualstack.${lb!.DNSName}.`);
    await until200('200 once the alias is re-pointed');
  }), 300_000);

  it('deregistered targets and a stopped instance get no traffic: 503 from the load balancer, 200 when back', whole(async () => {
    const elb = await moto.clients.get('elbv2');
    const ec2 = await moto.clients.get('ec2');
    const real = sandbox().realNodes[0]!;
    const instance = world.instances[real]!;
    await elb.send(new ELB.DeregisterTargetsCommand({ TargetGroupArn: world.targetGroupArn, Targets: [{ Id: instance, Port: 30080 }] }));
    // the kwok nodes' instances are registered but nothing answers at their addresses: when no
    // target passes its health checks, an ALB fails open — connection errors (502) or 503
    const failing = await waitUntil('the deregistered node to get no traffic', async () => {
      const s = statusOf(await get());
      return s === 200 ? undefined : s;
    }, 15_000, 100);
    expect([502, 503]).toContain(failing);
    await elb.send(new ELB.RegisterTargetsCommand({ TargetGroupArn: world.targetGroupArn, Targets: [{ Id: instance, Port: 30080 }] }));
    await until200('200 once registered again');
    await ec2.send(new EC2.StopInstancesCommand({ InstanceIds: [instance] }));
    await waitUntil('a stopped instance to get no traffic', async () => statusOf(await get()) !== 200, 15_000, 100);
    await ec2.send(new EC2.StartInstancesCommand({ InstanceIds: [instance] }));
    await until200('200 once the instance runs again');
  }), 300_000);
});

export type { AwsPorts };
