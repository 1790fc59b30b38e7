/** `aws.ec2-stop` and `aws.ec2-terminate` against a private moto server (real HTTP, real SDK). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as EC2 from '@aws-sdk/client-ec2';
import { awsEc2Stop } from '../../src/injectors/aws-ec2-stop/index.js';
import { awsEc2Terminate } from '../../src/injectors/aws-ec2-terminate/index.js';
import type { FaultRef } from '../../src/injectors/contract.js';
import { GamedayError } from '../../src/core/errors.js';
import { describeInjectorContract } from '../helpers/contract-suite.js';
import { asgInstances, OPT_IN, runInstances, seedAsg, seedNetwork, startWorld, stateOf, type AwsWorld, type Net } from '../helpers/sandbox/aws-world.js';

const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
let n = 0;
const ref = (): FaultRef => ({ faultId: `f${++n}`, drillId: 'drill-ec2', deadline: Date.now() + 600_000, attached: true });

describeInjectorContract('aws.ec2-stop', async () => {
  const world = await startWorld();
  const net = await seedNetwork(world.clients);
  await runInstances(world, net, 3, [OPT_IN, { Key: 'Name', Value: 'web' }]);
  const ec2 = await world.clients.get('ec2');
  return {
    injector: awsEc2Stop,
    ctx: world.ctx,
    target: { name: 'web' },
    params: { count: 1 },
    vanish: async (undo) => void (await ec2.send(new EC2.TerminateInstancesCommand({ InstanceIds: [String(undo.instanceId)] }))),
    cleanup: () => world.stop(),
  };
});

describeInjectorContract('aws.ec2-terminate', async () => {
  const world = await startWorld();
  const net = await seedNetwork(world.clients);
  await seedAsg(world, net, 'web-asg', 3);
  return { injector: awsEc2Terminate, ctx: world.ctx, target: { asg: 'web-asg' }, params: { count: 1, replacementTimeout: '20s' }, cleanup: () => world.stop() };
});

describe('aws.ec2-stop / aws.ec2-terminate against moto', () => {
  let world: AwsWorld;
  let net: Net;
  beforeAll(async () => {
    world = await startWorld();
    net = await seedNetwork(world.clients);
  });
  afterAll(async () => world?.stop());

  it('stop → revert → running, journaling id and state; revert again changes nothing', async () => {
    const [id] = await runInstances(world, net, 1, [OPT_IN, { Key: 'Name', Value: 'api-1' }]);
    const sel = await awsEc2Stop.select(world.ctx as never, awsEc2Stop.targetSchema.parse({ id }), {}, Math.random);
    expect(sel.targets[0]!.scope).toEqual({ resource: `instance ${id} (api-1)`, optedIn: true });
    const r = ref();
    const undo = json(await awsEc2Stop.prepare(world.ctx as never, sel.targets[0]!, {}, r));
    expect(undo).toEqual({ instanceId: id, name: 'api-1', stateBefore: 'running' });
    expect(await awsEc2Stop.inject(world.ctx as never, sel.targets[0]!, {}, undo, r)).toMatchObject({ instanceId: id, state: 'stopped' });
    expect(await stateOf(world, id!)).toBe('stopped');
    expect((await awsEc2Stop.verify(world.ctx as never, undo, 'injected', r)).ok).toBe(true);

    const out = await awsEc2Stop.revert(world.ctx as never, json(undo), r);
    expect(out).toMatchObject({ outcome: 'reverted', detail: { instanceId: id, state: 'running' } });
    expect(await stateOf(world, id!)).toBe('running');
    expect(await awsEc2Stop.verify(world.ctx as never, undo, 'reverted', r)).toEqual({ ok: true, detail: `instance ${id} (api-1) is running` });
    expect((await awsEc2Stop.revert(world.ctx as never, json(undo), r)).outcome).toBe('already-reverted');
    expect(await stateOf(world, id!)).toBe('running');
  });

  it('reports an untagged instance as not opted in (the guard decides), and picks `count` of the candidates', async () => {
    const ids = await runInstances(world, net, 4, [{ Key: 'role', Value: 'batch' }]);
    const sel = await awsEc2Stop.select(world.ctx as never, awsEc2Stop.targetSchema.parse({ tag: 'role=batch' }), awsEc2Stop.paramsSchema.parse({ count: 2 }), () => 0);
    expect(sel.candidates).toBe(4);
    expect(sel.targets).toHaveLength(2);
    for (const t of sel.targets) expect(t.scope.optedIn).toBe(false);
    for (const id of ids) expect(await stateOf(world, id)).toBe('running');
  });

  it('terminate refuses an instance outside an Auto Scaling group, and mutates nothing', async () => {
    const [id] = await runInstances(world, net, 1, [OPT_IN, { Key: 'Name', Value: 'pet' }]);
    const err = await awsEc2Terminate.select(world.ctx as never, awsEc2Terminate.targetSchema.parse({ name: 'pet' }), awsEc2Terminate.paramsSchema.parse({}), Math.random).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GamedayError);
    expect(err).toMatchObject({ code: 'GUARD_REFUSED', message: `instance ${id} (pet) is not in an Auto Scaling group: nothing would replace it` });
    expect(await stateOf(world, id!)).toBe('running');
  });

  it('terminate rolls an Auto Scaling group instance and times its replacement', async () => {
    const before = await seedAsg(world, net, 'roll-asg', 2);
    const params = awsEc2Terminate.paramsSchema.parse({ count: 1, replacementTimeout: '20s' });
    const sel = await awsEc2Terminate.select(world.ctx as never, awsEc2Terminate.targetSchema.parse({ asg: 'roll-asg' }), params, () => 0);
    expect(sel.candidates).toBe(2);
    const t = sel.targets[0]!;
    expect(t.data.asg).toBe('roll-asg');
    const r = ref();
    const undo = json(await awsEc2Terminate.prepare(world.ctx as never, t, params, r));
    const injected = await awsEc2Terminate.inject(world.ctx as never, t, params, undo, r);
    expect(['shutting-down', 'terminated']).toContain(await stateOf(world, t.data.instanceId));
    expect((await awsEc2Terminate.verify(world.ctx as never, undo, 'injected', r)).ok).toBe(true);
    const reports: Record<string, unknown>[] = [];
    await awsEc2Terminate.observe!(world.ctx as never, undo, json(injected), async (d) => void reports.push(d), r);
    expect(reports[0]).toMatchObject({ asg: 'roll-asg', terminated: t.data.instanceId, replaced: true });
    const now = await asgInstances(world, 'roll-asg');
    expect(now).toHaveLength(2);
    expect(now).not.toContain(t.data.instanceId);
    expect(now.filter((i) => before.includes(i))).toHaveLength(1);
    expect((await awsEc2Terminate.revert(world.ctx as never, undo, r)).outcome).toBe('nothing-to-revert');
  });
});
