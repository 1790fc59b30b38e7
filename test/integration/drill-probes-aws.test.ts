/**
 * The rds and cloudwatch-alarm probes against a private moto server (real HTTP, real SDK clients),
 * through the same adapters `gameday run` builds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProbePorts } from '../../src/adapters/probes/index.js';
import { probeSpec, type ProbeSpec } from '../../src/core/probe-spec.js';
import type { ProbePorts } from '../../src/ports/probes.js';
import { checkProbe } from '../../src/probes/loop.js';
import { clusterWriter, seedCluster, startWorld, type AwsWorld } from '../helpers/sandbox/aws-world.js';

let world: AwsWorld;
let ports: ProbePorts & { close(): Promise<void> };
const spec = (s: Record<string, unknown>): ProbeSpec => probeSpec.parse(s);
const check = (s: Record<string, unknown>) => checkProbe(spec(s), ports, new AbortController().signal);

beforeAll(async () => {
  world = await startWorld();
  await seedCluster(world, 'shop-db', 2);
  ports = await buildProbePorts(world.env, ['rds', 'alarms']);
});
afterAll(async () => {
  await ports?.close();
  await world?.stop();
});

describe('rds probe', () => {
  it('an available cluster with a writer passes; the expected writer is checked; a failover shows', async () => {
    const writer = await clusterWriter(world, 'shop-db');
    expect(await check({ name: 'db', type: 'rds', cluster: 'shop-db' })).toEqual({ ok: true, detail: `available, writer ${writer}` });
    expect(await check({ name: 'db', type: 'rds', cluster: 'shop-db', expectWriter: writer })).toMatchObject({ ok: true });
    const { FailoverDBClusterCommand } = await import('@aws-sdk/client-rds');
    const other = writer === 'shop-db-1' ? 'shop-db-2' : 'shop-db-1';
    await (await world.clients.get('rds')).send(new FailoverDBClusterCommand({ DBClusterIdentifier: 'shop-db', TargetDBInstanceIdentifier: other }));
    expect(await check({ name: 'db', type: 'rds', cluster: 'shop-db', expectWriter: writer })).toEqual({ ok: false, detail: `writer is ${other}, expected ${writer}` });
  });
  it('a missing cluster fails the probe', async () => {
    expect(await check({ name: 'db', type: 'rds', cluster: 'nope-db' })).toEqual({ ok: false, detail: 'cluster not found' });
  });
});

describe('cloudwatch-alarm probe', () => {
  it('OK passes, ALARM fails, a missing alarm fails', async () => {
    const cw = await import('@aws-sdk/client-cloudwatch');
    const client = await world.clients.get('cloudwatch');
    await client.send(new cw.PutMetricAlarmCommand({ AlarmName: 'checkout-5xx', MetricName: 'HTTPCode_Target_5XX_Count', Namespace: 'AWS/ApplicationELB', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 10, ComparisonOperator: 'GreaterThanThreshold' }));
    await client.send(new cw.SetAlarmStateCommand({ AlarmName: 'checkout-5xx', StateValue: 'OK', StateReason: 'test' }));
    expect(await check({ name: 'alarm', type: 'cloudwatch-alarm', alarm: 'checkout-5xx' })).toEqual({ ok: true, detail: 'OK' });
    await client.send(new cw.SetAlarmStateCommand({ AlarmName: 'checkout-5xx', StateValue: 'ALARM', StateReason: 'test' }));
    expect(await check({ name: 'alarm', type: 'cloudwatch-alarm', alarm: 'checkout-5xx' })).toEqual({ ok: false, detail: 'ALARM' });
    expect(await check({ name: 'alarm', type: 'cloudwatch-alarm', alarm: 'no-such-alarm' })).toEqual({ ok: false, detail: 'alarm not found' });
  });
});
