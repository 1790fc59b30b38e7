/**
 * Issue 13, stop conditions: an unattended drill (`gameday run --yes`, the built CLI) on the
 * sandbox's kube-apiserver scales a test Deployment to 0; a CloudWatch alarm on a moto server of
 * this file's own is set to ALARM mid-drill. The drill must abort within one alarm interval,
 * revert the fault at once, journal the reason, exit 1 and write a failing JUnit case.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore } from '../../src/adapters/journal-store.js';
import { ensureBuilt } from '../helpers/cli.js';
import { exited } from '../helpers/cli-process.js';
import { testNamespace, type TestNamespace } from '../helpers/kube.js';
import { startMoto, type MotoServer } from '../helpers/sandbox/moto.js';
import { kube, sandbox, waitUntil } from '../helpers/sandbox/sandbox.js';

const BIN = resolve('bin/gameday.js');
const ALARM = 'checkout-5xx';
const INTERVAL_MS = 2_000;
let moto: MotoServer;
let ns: TestNamespace;
let dir: string;

beforeAll(async () => {
  await ensureBuilt();
  moto = await startMoto();
  ns = await testNamespace('gdk-stop', { optIn: true });
  await ns.deployment('web', 2);
  await ns.waitReady('web', 2);
  dir = mkdtempSync(join(tmpdir(), 'gd-stop-'));
  const info = sandbox();
  writeFileSync(
    join(dir, 'gameday.yaml'),
    `environments:\n  lab:\n    critical: false\n    kube:\n      kubeconfig: ${info.kubeconfig}\n      context: ${info.kubeContext}\n    aws:\n      region: ${moto.region}\n      endpoint: ${moto.endpoint}\n    guards:\n      maxPercent: 100\n`,
  );
  mkdirSync(join(dir, 'scenarios'));
  writeFileSync(
    join(dir, 'scenarios', 'stop-alarm.yaml'),
    [
      'id: stop-alarm',
      'title: Web scaled to zero, watched by an alarm',
      'summary: k8s.scale to 0; the 5xx alarm is the stop condition',
      'briefing: Web is down.',
      'faults:',
      '  - kind: k8s.scale',
      `    target: { namespace: ${ns.name}, deployment: web }`,
      '    duration: 5m',
      'stopConditions:',
      `  - alarm: ${ALARM}`,
      `    interval: ${INTERVAL_MS / 1000}s`,
      'timeLimit: 5m',
      '',
    ].join('\n'),
  );
  const cw = await import('@aws-sdk/client-cloudwatch');
  const client = await moto.clients.get('cloudwatch');
  await client.send(new cw.PutMetricAlarmCommand({ AlarmName: ALARM, MetricName: 'HTTPCode_Target_5XX_Count', Namespace: 'AWS/ApplicationELB', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 10, ComparisonOperator: 'GreaterThanThreshold' }));
  await client.send(new cw.SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'OK', StateReason: 'test: healthy' }));
}, 300_000);

afterAll(async () => {
  await ns?.dispose();
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('stop conditions', () => {
  it('a CloudWatch alarm entering ALARM aborts a running unattended drill within one interval, reverts, exit 1, failing JUnit', async () => {
    const vars: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', GAMEDAY_STATE_DIR: join(dir, '.gameday') };
    delete vars.GAMEDAY_CONFIG;
    let out = '';
    const child = spawn(process.execPath, [BIN, 'run', 'stop-alarm', '--env', 'lab', '--yes', '--report', join(dir, 'junit.xml')], { cwd: dir, env: vars, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const code = exited(child);
    const store = new JournalStore(join(dir, '.gameday'));
    const events = () => (store.list()[0] ? store.read(store.list()[0]!).events : []);
    await waitUntil('the fault injected', async () => events().some((e) => e.type === 'fault-injected') || child.exitCode !== null, 120_000, 100);
    expect(child.exitCode, out).toBeNull();
    const { apps } = await kube();
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: ns.name })).spec?.replicas).toBe(0);

    const cw = await import('@aws-sdk/client-cloudwatch');
    const setAt = Date.now();
    await (await moto.clients.get('cloudwatch')).send(new cw.SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: 'test: 5xx' }));
    expect(await code, out).toBe(1);

    const journal = events();
    const revertStarted = journal.find((e) => e.type === 'fault-revert-started');
    const ended = journal.find((e) => e.type === 'drill-ended');
    expect(revertStarted).toMatchObject({ reason: 'rollback' });
    expect(ended).toMatchObject({ reason: 'aborted', detail: `stop condition: CloudWatch alarm ${ALARM} is in ALARM` });
    expect(journal.some((e) => e.type === 'fault-reverted')).toBe(true);
    const reactionMs = Date.parse(revertStarted!.at) - setAt;
    console.log(`alarm set to ALARM → revert started after ${reactionMs} ms (interval ${INTERVAL_MS} ms); drill ended after ${Date.parse(ended!.at) - setAt} ms`);
    expect(reactionMs).toBeLessThanOrEqual(INTERVAL_MS + 500);
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: ns.name })).spec?.replicas).toBe(2);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase[^>]*name="drill completed"[^>]*>\s*<failure message="drill aborted">[^<]*stop condition: CloudWatch alarm/);
    expect(out).toMatch(/stop condition: CloudWatch alarm checkout-5xx is in ALARM/);
  }, 240_000);
});
