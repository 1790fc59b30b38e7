/**
 * Failover timing that moto cannot model (it swaps the writer instantly and ignores ForceFailover):
 * a stale describe right after the call, `failing-over` → `available`, a Multi-AZ instance
 * rebooting into its other AZ, throttling while polling, and the bounded give-up.
 * Real RDS adapter over an RDS client mocked with aws-sdk-client-mock; a clock that moves on sleep.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import 'aws-sdk-client-mock-vitest/extend';
import * as RDS from '@aws-sdk/client-rds';
import { createRdsPort } from '../../../../src/adapters/aws/rds.js';
import { awsRdsFailover, type RdsUndo } from '../../../../src/injectors/aws-rds-failover/index.js';
import { failoverDone } from '../../../../src/injectors/aws-rds-failover/state.js';
import { fakeClock, throttled } from '../../../helpers/fake-aws-clock.js';

expect.extend(allCustomMatcher);
const rdsMock = mockClient(RDS.RDSClient);
const cfg = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
beforeEach(() => rdsMock.reset());

const cluster = (status: string, writer: string): RDS.DescribeDBClustersCommandOutput => ({
  $metadata: {},
  DBClusters: [{ DBClusterIdentifier: 'shop-db', Status: status, DBClusterMembers: ['shop-db-1', 'shop-db-2'].map((id) => ({ DBInstanceIdentifier: id, IsClusterWriter: id === writer })), TagList: [{ Key: 'gameday:enabled', Value: 'true' }] }],
});
const azOf: Record<string, string> = { 'shop-db-1': 'eu-west-1a', 'shop-db-2': 'eu-west-1b' };

function world() {
  const clock = fakeClock({});
  (clock.ctx as { ports: unknown }).ports = { rds: createRdsPort(new RDS.RDSClient(cfg), clock.retry()) };
  return clock;
}
const clusterUndo: RdsUndo = { kind: 'cluster', id: 'shop-db', writerBefore: 'shop-db-1', azBefore: 'eu-west-1a', members: ['shop-db-1', 'shop-db-2'], failBack: false, holdMs: 60_000, timeoutMs: 600_000 };
const ref = { faultId: 'f1', drillId: 'd1', attached: true };

describe('aws.rds-failover: measuring the failover', () => {
  beforeEach(() => {
    rdsMock.on(RDS.DescribeDBInstancesCommand).callsFake((input: RDS.DescribeDBInstancesCommandInput) => ({ DBInstances: [{ DBInstanceIdentifier: input.DBInstanceIdentifier, AvailabilityZone: azOf[input.DBInstanceIdentifier!], DBInstanceStatus: 'available' }] }));
  });

  it('does not trust the stale first describe; waits through failing-over until the new writer is available, and reports the duration', async () => {
    rdsMock
      .on(RDS.DescribeDBClustersCommand)
      .resolvesOnce(cluster('available', 'shop-db-1')) // stale: the call was accepted, nothing visible yet
      .resolvesOnce(cluster('failing-over', 'shop-db-1'))
      .rejectsOnce(throttled()) // throttled while polling: retried, not fatal
      .resolvesOnce(cluster('failing-over', 'shop-db-2')) // new writer, not available yet
      .resolves(cluster('available', 'shop-db-2'));
    rdsMock.on(RDS.FailoverDBClusterCommand).resolves({});
    const clock = world();
    const injected = await awsRdsFailover.inject(clock.ctx as never, { id: 'shop-db', scope: { resource: 'db-cluster shop-db', optedIn: true }, data: { kind: 'cluster', id: 'shop-db' } }, awsRdsFailover.paramsSchema.parse({}), clusterUndo, ref);
    const t0 = clock.now();
    const reports: Record<string, unknown>[] = [];
    await awsRdsFailover.observe!(clock.ctx as never, clusterUndo, JSON.parse(JSON.stringify(injected)), async (d) => void reports.push(d), ref);

    expect(rdsMock).toHaveReceivedCommandWith(RDS.FailoverDBClusterCommand, { DBClusterIdentifier: 'shop-db' });
    expect(reports).toEqual([
      { phase: 'failover', writerBefore: 'shop-db-1', writerAfter: 'shop-db-2', azAfter: 'eu-west-1b', status: 'available', confirmed: true, polls: 4, durationMs: clock.now() - t0 },
    ]);
    // poll backoff 1 s, 1.5 s, 2.25 s around one throttling retry (150 ms)
    expect(clock.sleeps).toEqual([1000, 1500, 150, 2250]);
    expect(clock.progress[0]).toBe('waiting for shop-db to fail over: available, writer shop-db-1 in eu-west-1a (0ms)');
  });

  it('gives up after its timeout with confirmed: false, polling with capped backoff (never forever)', async () => {
    rdsMock.on(RDS.DescribeDBClustersCommand).resolves(cluster('available', 'shop-db-1'));
    const clock = world();
    const reports: Record<string, unknown>[] = [];
    await awsRdsFailover.observe!(clock.ctx as never, { ...clusterUndo, timeoutMs: 120_000 }, { requestedAt: clock.now() }, async (d) => void reports.push(d), ref);
    expect(reports[0]).toMatchObject({ phase: 'failover', confirmed: false, writerAfter: 'shop-db-1', durationMs: 120_000 });
    expect(Math.max(...clock.sleeps)).toBe(10_000);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(120_000);
  });

  it('fails back to the original writer after the hold time and measures that too', async () => {
    rdsMock
      .on(RDS.DescribeDBClustersCommand)
      .resolvesOnce(cluster('failing-over', 'shop-db-1'))
      .resolvesOnce(cluster('available', 'shop-db-2'))
      .resolvesOnce(cluster('available', 'shop-db-2')) // stale after the fail-back call
      .resolves(cluster('available', 'shop-db-1'));
    rdsMock.on(RDS.FailoverDBClusterCommand).resolves({});
    const clock = world();
    const reports: Record<string, unknown>[] = [];
    await awsRdsFailover.observe!(clock.ctx as never, { ...clusterUndo, failBack: true, holdMs: 30_000 }, { requestedAt: clock.now() }, async (d) => void reports.push(d), ref);
    expect(reports.map((r) => [r.phase, r.writerBefore, r.writerAfter, r.confirmed, r.durationMs])).toEqual([
      ['failover', 'shop-db-1', 'shop-db-2', true, 1000],
      ['fail-back', 'shop-db-2', 'shop-db-1', true, 1000],
    ]);
    expect(rdsMock).toHaveReceivedCommandWith(RDS.FailoverDBClusterCommand, { DBClusterIdentifier: 'shop-db', TargetDBInstanceIdentifier: 'shop-db-1' });
    expect(clock.sleeps).toContain(30_000);
    expect(clock.progress).toContain('holding 30s before failing back to shop-db-1');
  });

  it('Multi-AZ DB instance: rebooting → available in the other AZ counts; the same AZ does not', async () => {
    const inst = (status: string, az: string) => ({ DBInstances: [{ DBInstanceIdentifier: 'legacy-db', DBInstanceStatus: status, AvailabilityZone: az, MultiAZ: true }] });
    rdsMock.on(RDS.DescribeDBInstancesCommand).resolvesOnce(inst('available', 'eu-west-1a')).resolvesOnce(inst('rebooting', 'eu-west-1a')).resolvesOnce(inst('rebooting', 'eu-west-1b')).resolves(inst('available', 'eu-west-1b'));
    rdsMock.on(RDS.RebootDBInstanceCommand).resolves({});
    const clock = world();
    const undo: RdsUndo = { kind: 'instance', id: 'legacy-db', writerBefore: 'legacy-db', azBefore: 'eu-west-1a', members: ['legacy-db'], failBack: false, holdMs: 0, timeoutMs: 600_000 };
    await awsRdsFailover.inject(clock.ctx as never, { id: 'legacy-db', scope: { resource: 'db-instance legacy-db', optedIn: true }, data: { kind: 'instance', id: 'legacy-db' } }, awsRdsFailover.paramsSchema.parse({}), undo, ref);
    expect(rdsMock).toHaveReceivedCommandWith(RDS.RebootDBInstanceCommand, { DBInstanceIdentifier: 'legacy-db', ForceFailover: true });
    const reports: Record<string, unknown>[] = [];
    await awsRdsFailover.observe!(clock.ctx as never, undo, { requestedAt: clock.now() }, async (d) => void reports.push(d), ref);
    expect(reports[0]).toMatchObject({ confirmed: true, azAfter: 'eu-west-1b', polls: 4 });
  });

  it('verify(injected) looks past a stale describe for a short, bounded while', async () => {
    rdsMock.on(RDS.DescribeDBClustersCommand).resolvesOnce(cluster('available', 'shop-db-1')).resolvesOnce(cluster('available', 'shop-db-1')).resolvesOnce(cluster('available', 'shop-db-1')).resolves(cluster('failing-over', 'shop-db-1'));
    const clock = world();
    expect(await awsRdsFailover.verify(clock.ctx as never, clusterUndo, 'injected', ref)).toEqual({ ok: true, detail: 'failover in progress: failing-over, writer shop-db-1 in eu-west-1a' });
    expect(clock.sleeps).toEqual([1000, 1600]);

    rdsMock.reset();
    rdsMock.on(RDS.DescribeDBInstancesCommand).callsFake((input: RDS.DescribeDBInstancesCommandInput) => ({ DBInstances: [{ DBInstanceIdentifier: input.DBInstanceIdentifier, AvailabilityZone: azOf[input.DBInstanceIdentifier!] }] }));
    rdsMock.on(RDS.DescribeDBClustersCommand).resolves(cluster('available', 'shop-db-1'));
    const stuck = world();
    expect(await awsRdsFailover.verify(stuck.ctx as never, clusterUndo, 'injected', ref)).toEqual({ ok: false, detail: 'no failover seen after 20s: available, writer shop-db-1 in eu-west-1a' });
    expect(stuck.sleeps.reduce((a, b) => a + b, 0)).toBe(20_000);
  });

  it.each([
    ['cluster', { status: 'available', writer: 'a' }, false, 'stale: same writer'],
    ['cluster', { status: 'failing-over', writer: 'b' }, false, 'new writer, not available yet'],
    ['cluster', { status: 'available', writer: 'b' }, true, 'new writer, available'],
    ['instance', { status: 'available', writer: 'i', az: 'az1' }, false, 'same AZ'],
    ['instance', { status: 'rebooting', writer: 'i', az: 'az2' }, false, 'other AZ, still rebooting'],
    ['instance', { status: 'available', writer: 'i', az: 'az2' }, true, 'other AZ, available'],
  ] as [('cluster' | 'instance'), { status: string; writer: string; az?: string }, boolean, string][])('failoverDone(%s, %o) = %s (%s)', (kind, now, want) => {
    expect(failoverDone(kind, { writer: kind === 'cluster' ? 'a' : 'i', az: 'az1' }, { members: [], multiAz: true, tags: [], ...now })).toBe(want);
  });
});
