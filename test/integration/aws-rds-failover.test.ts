/**
 * `aws.rds-failover` against a private moto server. moto's FailoverDBCluster really swaps the
 * writer (instantly); RebootDBInstance ignores ForceFailover, so the Multi-AZ instance path can only
 * show that an unconfirmed failover is reported as such (the timing paths are in the unit tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRdsFailover, type RdsUndo } from '../../src/injectors/aws-rds-failover/index.js';
import type { FaultRef } from '../../src/injectors/contract.js';
import { GamedayError } from '../../src/core/errors.js';
import { describeInjectorContract } from '../helpers/contract-suite.js';
import { clusterWriter, seedCluster, seedDbInstance, startWorld, type AwsWorld } from '../helpers/sandbox/aws-world.js';

const inj = awsRdsFailover;
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
let n = 0;
const ref = (): FaultRef => ({ faultId: `f${++n}`, drillId: 'drill-rds', attached: true });

describeInjectorContract('aws.rds-failover', async () => {
  const world = await startWorld();
  await seedCluster(world, 'shop-db', 2);
  return { injector: inj, ctx: world.ctx, target: { cluster: 'shop-db' }, params: {}, cleanup: () => world.stop() };
});

describe('aws.rds-failover against moto', () => {
  let world: AwsWorld;
  beforeAll(async () => {
    world = await startWorld();
    await seedCluster(world, 'shop-db', 3);
    await seedCluster(world, 'solo-db', 1);
    await seedCluster(world, 'untagged-db', 2, [{ Key: 'team', Value: 'db' }]);
    await seedDbInstance(world, 'legacy-db', true);
    await seedDbInstance(world, 'single-az-db', false);
  });
  afterAll(async () => world?.stop());

  const run = async (target: Record<string, unknown>, params: Record<string, unknown> = {}) => {
    const spec = inj.targetSchema.parse(target);
    const p = inj.paramsSchema.parse(params);
    const sel = await inj.select(world.ctx as never, spec, p, Math.random);
    const r = ref();
    const undo = json(await inj.prepare(world.ctx as never, sel.targets[0]!, p, r));
    const injected = await inj.inject(world.ctx as never, sel.targets[0]!, p, undo, r);
    const reports: Record<string, unknown>[] = [];
    const progress: string[] = [];
    await inj.observe!({ ...world.ctx, progress: (m: string) => progress.push(m) } as never, undo, json(injected), async (d) => void reports.push(d), r);
    return { sel, undo: undo as RdsUndo, injected, reports, progress, r };
  };

  it('fails the cluster over: the writer changes, and observe measures and reports the duration', async () => {
    const before = await clusterWriter(world, 'shop-db');
    const { sel, undo, reports, r } = await run({ cluster: 'shop-db' });
    expect(sel.targets[0]!.scope).toEqual({ resource: 'db-cluster shop-db', optedIn: true });
    expect(undo).toMatchObject({ kind: 'cluster', id: 'shop-db', writerBefore: before, members: ['shop-db-1', 'shop-db-2', 'shop-db-3'] });
    const after = await clusterWriter(world, 'shop-db');
    expect(after).not.toBe(before);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ phase: 'failover', writerBefore: before, writerAfter: after, confirmed: true, status: 'available' });
    expect(typeof reports[0]!.durationMs).toBe('number');
    console.log(`[figure] rds cluster failover on moto: ${String(reports[0]!.durationMs)} ms in ${String(reports[0]!.polls)} poll(s)`);
    expect((await inj.verify(world.ctx as never, undo, 'injected', r)).ok).toBe(true);
    expect((await inj.revert(world.ctx as never, undo, r)).outcome).toBe('nothing-to-revert');
  });

  it('fails over to a chosen reader, then fails back after the hold time', async () => {
    const before = (await clusterWriter(world, 'shop-db'))!;
    const reader = ['shop-db-1', 'shop-db-2', 'shop-db-3'].find((m) => m !== before)!;
    const { reports } = await run({ cluster: 'shop-db' }, { targetInstance: reader, failBack: true, hold: '50ms', timeout: '30s' });
    expect(reports.map((x) => [x.phase, x.writerBefore, x.writerAfter, x.confirmed])).toEqual([
      ['failover', before, reader, true],
      ['fail-back', reader, before, true],
    ]);
    expect(await clusterWriter(world, 'shop-db')).toBe(before);
  });

  it('reports the opt-in tag truthfully (untagged → optedIn false) without failing anything over', async () => {
    const before = await clusterWriter(world, 'untagged-db');
    const sel = await inj.select(world.ctx as never, inj.targetSchema.parse({ cluster: 'untagged-db' }), inj.paramsSchema.parse({}), Math.random);
    expect(sel.targets[0]!.scope).toEqual({ resource: 'db-cluster untagged-db', optedIn: false });
    expect(await clusterWriter(world, 'untagged-db')).toBe(before);
  });

  it.each([
    [{ cluster: 'solo-db' }, 'GUARD_REFUSED', 'DB cluster solo-db has 1 member: a failover needs a second instance to promote'],
    [{ instance: 'single-az-db' }, 'GUARD_REFUSED', 'DB instance single-az-db is single-AZ: there is no standby to fail over to'],
    [{ instance: 'shop-db-1' }, 'INVALID_INPUT', 'DB instance shop-db-1 belongs to cluster shop-db'],
    [{ cluster: 'nope' }, 'INVALID_INPUT', 'no DB cluster named nope in eu-west-1'],
  ])('refuses %o with %s and a clear reason', async (target, code, message) => {
    const writer = await clusterWriter(world, 'solo-db');
    const err = await inj.select(world.ctx as never, inj.targetSchema.parse(target), inj.paramsSchema.parse({}), Math.random).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GamedayError);
    expect(err).toMatchObject({ code, message });
    expect((err as GamedayError).hint).toBeTruthy();
    expect(await clusterWriter(world, 'solo-db')).toBe(writer);
  });

  it('Multi-AZ DB instance: reboots with failover; a failover moto cannot show is reported as unconfirmed, not as a success', async () => {
    const { undo, reports } = await run({ instance: 'legacy-db' }, { timeout: '1500ms' });
    expect(undo).toMatchObject({ kind: 'instance', id: 'legacy-db', writerBefore: 'legacy-db' });
    expect(reports[0]).toMatchObject({ phase: 'failover', confirmed: false });
  });
});
