/**
 * The facilitated and unattended drill on a fake clock: minutes of drill time in milliseconds. The
 * fault is real (test.marker files on disk) and so is the journal; only time and the HTTP probe's
 * transport are fakes (the probe answers 503 while a marker file exists, as the service would).
 */
import { describe, expect, it } from 'vitest';
import { DefaultsHost } from '../../../src/core/host.js';
import { buildPorts } from '../../../src/adapters/ports.js';
import type { ProbePorts } from '../../../src/ports/probes.js';
import { runDrill } from '../../../src/drill/engine.js';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import { RecordingHost } from '../../../src/cli/hosts/recording.js';
import { env, label, markerScenario, markersLeft, tmp } from '../../helpers/drill.js';
import { FakeClock } from '../../helpers/fake-clock.js';

function markerProbePorts(dir: string): ProbePorts & { close(): Promise<void> } {
  const unused = new Proxy({}, { get: () => { throw new Error('not used by this test'); } });
  return {
    http: { get: async () => (markersLeft(dir).length ? { status: 503, body: 'checkout unavailable', latencyMs: 3 } : { status: 200, body: 'ok', latencyMs: 2 }) },
    tcp: unused, workloads: unused, rds: unused, alarms: unused,
    close: async () => {},
  } as unknown as ProbePorts & { close(): Promise<void> };
}

function setup(over: (dir: string) => Parameters<typeof markerScenario>[2] = () => ({})) {
  const state = tmp();
  const dir = tmp('gameday-markers-');
  const clock = new FakeClock();
  const scenario = markerScenario(dir, 'http://checkout.test/health', over(dir));
  const deps = (host: RecordingHost | DefaultsHost) => ({ host: host as RecordingHost, signal: new AbortController().signal, buildPorts, buildProbePorts: async () => markerProbePorts(dir), clock });
  return { state, dir, clock, scenario, deps };
}

describe('the drill on a fake clock', () => {
  it('a 10-minute unattended drill: the deadline reverts the fault at 10 min of drill time, steady state returns, the drill ends', async () => {
    const { state, dir, clock, scenario, deps } = setup((dir) => ({ faults: [{ kind: 'test.marker', target: { dir, names: 'm1' }, duration: '10m' }], timeLimit: '30m', steadyState: [{ name: 'checkout-http', type: 'http', url: 'http://checkout.test/health', interval: '5s', timeout: '1s' }] }));
    const host = new RecordingHost();
    const started = Date.now();
    const drill = runDrill({ scenario, env: env(), mode: 'unattended', stateDir: state, root: process.cwd(), settleMs: 30_000 }, deps(host));
    let done = false;
    void drill.finally(() => (done = true)).catch(() => undefined);
    expect(await clock.until(() => done, 40 * 60_000, 1000)).toBe(true);
    const r = await drill;
    const wall = Date.now() - started;
    const events = new JournalStore(state).read(r.drillId).events;
    const at = (type: string) => Date.parse(events.find((e) => label(e) === type)!.at);
    expect(at('reverted') - at('injected')).toBeGreaterThanOrEqual(10 * 60_000);
    expect(at('reverted') - at('injected')).toBeLessThan(10 * 60_000 + 2_000);
    expect(events.filter((e) => e.type === 'probe-result').map((e) => label(e))).toEqual(['probe-ok', 'probe-broken', 'probe-ok']);
    expect(events.at(-1)).toMatchObject({ type: 'drill-ended', reason: 'completed', detail: 'steady state held with nothing active' });
    expect(markersLeft(dir)).toEqual([]);
    // recovery took the fault's 10 minutes: the scenario's 10 s objective is missed, as it should be
    const recover = r.summary!.measures.find((m) => m.key === 'recover')!;
    expect(recover.ms).toBeGreaterThanOrEqual(10 * 60_000);
    expect(recover.ms).toBeLessThan(10 * 60_000 + 10_000);
    expect(r.outcome).toBe('objectives-failed');
    expect(wall).toBeLessThan(20_000); // 40 minutes of drill time, in (far) less real time
  });

  it('timed hints come at their minute, a key marks detection, and the time limit ends a facilitated drill', async () => {
    const { state, clock, scenario, deps } = setup(() => ({ hints: [{ text: 'Look at the health endpoint', after: '2m' }, { text: 'Check the marker directory', after: '5m' }], timeLimit: '8m', objectives: { detectWithin: '3m' } }));
    const host = new RecordingHost({ answers: { start: true } });
    const drill = runDrill({ scenario, env: env(), mode: 'facilitated', stateDir: state, root: process.cwd() }, deps(host));
    let done = false;
    void drill.finally(() => (done = true)).catch(() => undefined);
    await clock.until(() => host.events.some((e) => e.type === 'hint-revealed'), 10 * 60_000, 1000);
    host.press('d');
    expect(await clock.until(() => done, 20 * 60_000, 1000)).toBe(true);
    const r = await drill;
    const events = r.events;
    const t0 = Date.parse(events.find((e) => e.type === 'fault-injected')!.at);
    const hints = events.filter((e) => e.type === 'hint-revealed').map((e) => Math.round((Date.parse(e.at) - t0) / 60_000));
    expect(hints).toEqual([2, 5]);
    expect(events.find((e) => e.type === 'mark')).toMatchObject({ mark: 'detected' });
    expect(events.map((e) => e.type)).toContain('drill-ended');
    expect(events.find((e) => e.type === 'drill-ended')).toMatchObject({ reason: 'completed', detail: 'time limit (8m00s) reached' });
    expect(r.summary!.measures.find((m) => m.key === 'detect')!.met).toBe(true);
  });

  it('a fault scheduled `at: 3m` is injected three minutes into the drill, not before', async () => {
    const { state, dir, clock, scenario, deps } = setup((dir) => ({
      faults: [{ kind: 'test.marker', target: { dir, names: 'm1' }, duration: '1m' }, { kind: 'test.marker', target: { dir, names: 'm2' }, duration: '1m', at: '3m' }],
      timeLimit: '6m',
    }));
    const host = new RecordingHost();
    const drill = runDrill({ scenario, env: env(), mode: 'unattended', stateDir: state, root: process.cwd(), settleMs: 30_000 }, deps(host));
    let done = false;
    void drill.finally(() => (done = true)).catch(() => undefined);
    expect(await clock.until(() => done, 10 * 60_000, 1000)).toBe(true);
    const events = (await drill).events;
    const injected = events.filter((e) => e.type === 'fault-injected').map((e) => Date.parse(e.at));
    expect(injected).toHaveLength(2);
    expect(injected[1]! - injected[0]!).toBeGreaterThanOrEqual(3 * 60_000);
    expect(injected[1]! - injected[0]!).toBeLessThan(3 * 60_000 + 2_000);
    expect(markersLeft(dir)).toEqual([]);
  });
});

describe('a tabletop checklist on the fake clock', () => {
  it('`c` ticks the steps off in order; the summary gives each time against its target, the report and history the total', async () => {
    const { state, clock, deps } = setup();
    const scenario = markerScenario('/nonexistent', 'http://checkout.test/health', {
      id: 'rebuild-tabletop', faults: [], steadyState: [], hints: [], objectives: {}, timeLimit: '90m',
      checklist: [{ step: 'state found', target: '10m' }, { step: 'cluster up', target: '30m' }, 'traffic served'],
    });
    const host = new RecordingHost({ answers: { start: true } });
    const drill = runDrill({ scenario, env: env(), mode: 'facilitated', stateDir: state, root: process.cwd(), tickMs: 1000 }, deps(host));
    let done = false;
    void drill.finally(() => (done = true)).catch(() => undefined);
    await clock.until(() => host.panels.length > 0, 60_000, 1000);
    await clock.advance(8 * 60_000, 1000);
    host.press('c'); // step 1 at ~8 min: on time
    await clock.advance(27 * 60_000, 1000);
    host.press('c'); // step 2 at ~35 min: late
    await clock.advance(10 * 60_000, 1000);
    host.press('c', 'c'); // step 3; a fourth press says every step is done
    await clock.advance(2_000, 1000);
    expect(host.panels.at(-1)!.steps).toMatchObject({ done: 3, total: 3 });
    host.press('q');
    expect(await clock.until(() => done, 10 * 60_000, 1000)).toBe(true);
    const r = await drill;
    expect(r.events.filter((e) => e.type === 'step-done').map((e) => e.type === 'step-done' && e.index)).toEqual([0, 1, 2]);
    const steps = r.summary!.steps;
    expect(steps.map((s) => Math.round(s.ms! / 60_000))).toEqual([8, 35, 45]);
    expect(steps.map((s) => s.late)).toEqual([false, true, false]);
    expect(host.events.some((e) => e.type === 'info' && e.message === 'every step is done')).toBe(true);
    const { renderMarkdown } = await import('../../../src/report/markdown.js');
    expect(renderMarkdown(r.summary!)).toMatch(/\| 2\. cluster up \| 30m00s \| 35m0\ds \| late by 5m0\ds \|/);
    const { historyRow } = await import('../../../src/core/history.js');
    expect(Math.round(historyRow(r.summary!).times.checklist! / 60_000)).toBe(45);
  });
});
