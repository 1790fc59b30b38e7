import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import { HaltFlag } from '../../../src/adapters/halt-flag.js';
import type { DrillEvent } from '../../../src/core/events.js';
import { GamedayError } from '../../../src/core/errors.js';
import type { HostEvent } from '../../../src/core/host.js';
import { runDrill } from '../../../src/drill/engine.js';
import { summarize } from '../../../src/core/summary.js';
import { RecordingHost } from '../../../src/cli/hosts/recording.js';
import { deps, env, inOrder, label, markerScenario, markersLeft, service, tmp } from '../../helpers/drill.js';

const isEvent = (e: HostEvent): e is DrillEvent => 'seq' in e;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function world() {
  const dir = tmp();
  const stateDir = join(dir, 'state');
  const markers = join(dir, 'markers');
  let mitigated = false;
  const svc = await service(() => !mitigated && markersLeft(markers).length > 0);
  closers.push(svc.close);
  return { dir, stateDir, markers, svc, mitigate: () => (mitigated = true) };
}

describe('the facilitated drill, driven by the recording host', () => {
  it('journals preflight, injected, probe broken, hint, detected, probe recovered, mitigated, reverted, ended — and the summary matches the journal', async () => {
    const w = await world();
    let detected = false;
    const host: RecordingHost = new RecordingHost({
      answers: { wentWell: 'found it fast', hard: 'no alert', gaps: 'runbook lacks the marker dir', actionItems: 'add an alert @alice; update runbook @bob' },
      reactions: [
        { on: (e) => e.type === 'probe-result' && !e.ok, keys: ['h', 'd', 'g'] },
        { on: (e) => e.type === 'mark' && e.mark === 'diagnosed', keys: [] },
        { on: (e) => e.type === 'probe-result' && e.ok && detected, keys: ['m', 'q'] },
      ],
      onEvent: (e) => {
        if (e.type === 'mark' && e.mark === 'detected') detected = true;
        if (e.type === 'mark' && e.mark === 'diagnosed') w.mitigate(); // the team fixes it
      },
    });
    const result = await runDrill({ scenario: markerScenario(w.markers, w.svc.url), env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir, seed: 1, tickMs: 50, recheckMs: 2000 }, deps(host));

    expect(result.outcome).toBe('passed');
    const { events } = new JournalStore(w.stateDir).read(result.drillId);
    const labels = events.map(label);
    expect(inOrder(labels, ['drill-started', 'preflight', 'injected', 'probe-broken', 'hint', 'mark-detected', 'probe-ok', 'mark-mitigated', 'reverted', 'debrief', 'drill-ended'])).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'drill-ended', reason: 'completed' });
    expect(markersLeft(w.markers)).toEqual([]);

    // the summary's times are the journal's
    const s = summarize(events);
    const t0 = Date.parse(events.find((e) => e.type === 'fault-injected')!.at);
    const markAt = (m: string) => Date.parse(events.find((e) => e.type === 'mark' && e.mark === m)!.at) - t0;
    expect(s.measures.find((m) => m.key === 'detect')!.ms).toBe(markAt('detected'));
    expect(s.measures.find((m) => m.key === 'diagnose')!.ms).toBe(markAt('diagnosed'));
    expect(s.measures.find((m) => m.key === 'mitigate')!.ms).toBe(markAt('mitigated'));
    const recovered = events.filter((e) => e.type === 'probe-result' && e.ok).at(-1)!;
    expect(s.measures.find((m) => m.key === 'recover')!.ms).toBe(Date.parse(recovered.at) - t0);
    expect(s.hintsUsed).toBe(events.filter((e) => e.type === 'hint-revealed').length);
    expect(s.debrief?.actionItems).toEqual([{ task: 'add an alert', owner: 'alice' }, { task: 'update runbook', owner: 'bob' }]);
    expect(s.passed).toBe(true);
    // the host saw the briefing and the panel
    expect(host.sections.map((x) => x.kind)).toEqual(expect.arrayContaining(['summary', 'plan', 'briefing', 'result']));
    expect(host.panels.length).toBeGreaterThan(0);
    expect(host.events.filter(isEvent).length).toBe(events.length);
  });

  it('reverts a fault at its deadline; unattended ends once steady state holds, and reveals no hints', async () => {
    const w = await world();
    const host = new RecordingHost();
    // 2 s: long enough for a 100 ms probe to see the fault on a loaded machine (600 ms failed in CI at load 18)
    const scenario = markerScenario(w.markers, w.svc.url, { faults: [{ kind: 'test.marker', target: { dir: w.markers, names: 'm1' }, duration: '2s' }] });
    const r = await runDrill({ scenario, env: env(), mode: 'unattended', stateDir: w.stateDir, root: w.dir, seed: 1, tickMs: 50, settleMs: 400 }, deps(host));
    const { events } = new JournalStore(w.stateDir).read(r.drillId);
    expect(events.filter((e) => e.type === 'hint-revealed')).toEqual([]);
    expect(events.find((e) => e.type === 'fault-revert-started')).toMatchObject({ reason: 'deadline' });
    expect(inOrder(events.map(label), ['injected', 'probe-broken', 'reverted', 'probe-ok', 'drill-ended'])).toBe(true);
    expect(r.summary!.measures.filter((m) => m.applicable).map((m) => m.key)).toEqual(['recover']);
    expect(r.outcome).toBe('passed');
    expect(markersLeft(w.markers)).toEqual([]);
  });

  it('timed hints reveal themselves in a facilitated drill', async () => {
    const w = await world();
    const host = new RecordingHost({ reactions: [{ on: (e) => e.type === 'hint-revealed', keys: ['q'] }] });
    const r = await runDrill({ scenario: markerScenario(w.markers, w.svc.url), env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir, seed: 1, tickMs: 50, recheckMs: 2000 }, deps(host));
    const { events } = new JournalStore(w.stateDir).read(r.drillId);
    const hint = events.find((e) => e.type === 'hint-revealed')!;
    expect(hint).toMatchObject({ trigger: 'timed', index: 0 });
    expect(Date.parse(hint.at) - Date.parse(events.find((e) => e.type === 'fault-injected')!.at)).toBeGreaterThanOrEqual(200);
    expect(host.panels.some((p) => p.hints.revealed === 1 && p.hints.total === 2)).toBe(true);
    expect(markersLeft(w.markers)).toEqual([]);
  });

  it('a deadline reverts the fault even while a prompt is open', async () => {
    const w = await world();
    const host = new RecordingHost({ delays: { note: 1500 }, answers: { note: 'typing slowly' }, reactions: [{ on: (e) => e.type === 'probe-result' && !e.ok, keys: ['n'] }, { on: (e) => e.type === 'mark' && e.mark === 'note', keys: ['q'] }] });
    const scenario = markerScenario(w.markers, w.svc.url, { faults: [{ kind: 'test.marker', target: { dir: w.markers, names: 'm1' }, duration: '400ms' }] });
    const r = await runDrill({ scenario, env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir, seed: 1, tickMs: 50, recheckMs: 2000 }, deps(host));
    const { events } = new JournalStore(w.stateDir).read(r.drillId);
    expect(events.find((e) => e.type === 'fault-revert-started')).toMatchObject({ reason: 'deadline' });
    expect(inOrder(events.map(label), ['injected', 'reverted', 'mark-note'])).toBe(true);
    const injectedAt = Date.parse(events.find((e) => e.type === 'fault-injected')!.at);
    const revertedAt = Date.parse(events.find((e) => e.type === 'fault-reverted')!.at);
    expect(revertedAt - injectedAt).toBeLessThan(1500);
  });

  it('a fault with an `at` delay is injected on schedule while the clock runs', async () => {
    const w = await world();
    let injections = 0;
    const host = new RecordingHost({ reactions: [{ on: (e) => e.type === 'fault-injected' && ++injections === 2, keys: ['q'], delayMs: 100 }] });
    const scenario = markerScenario(w.markers, w.svc.url, {
      faults: [
        { kind: 'test.marker', target: { dir: w.markers, names: 'm1' }, duration: '1m' },
        { kind: 'test.marker', target: { dir: w.markers, names: 'm2' }, duration: '1m', at: '400ms' },
      ],
    });
    const r = await runDrill({ scenario, env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir, seed: 1, tickMs: 50, recheckMs: 2000 }, deps(host));
    const { events } = new JournalStore(w.stateDir).read(r.drillId);
    const injected = events.filter((e) => e.type === 'fault-injected').map((e) => ({ id: (e as { faultId: string }).faultId, at: Date.parse(e.at) }));
    expect(injected.map((i) => i.id)).toEqual(['f1-m1', 'f2-m2']);
    expect(injected[1]!.at - injected[0]!.at).toBeGreaterThanOrEqual(350);
    // the panel ran meanwhile and showed the scheduled fault
    expect(host.panels.some((p) => p.faults.some((f) => f.status === 'scheduled' && f.target === 'marker m2' && f.startsInMs !== undefined))).toBe(true);
    expect(events.filter((e) => e.type === 'fault-reverted')).toHaveLength(2);
    expect(markersLeft(w.markers)).toEqual([]);
  });

  it('a scheduled fault that fails to inject ends the drill as failed, with everything reverted', async () => {
    const w = await world();
    const scenario = markerScenario(w.markers, w.svc.url, {
      faults: [
        { kind: 'test.marker', target: { dir: w.markers, names: 'm1' }, duration: '1m' },
        { kind: 'test.marker', target: { dir: w.markers, names: 'm2' }, params: { failOn: 'm2' }, duration: '1m', at: '200ms' },
      ],
    });
    const err = await runDrill({ scenario, env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir, seed: 1, tickMs: 50 }, deps(new RecordingHost())).catch((e) => e);
    expect(err.code).toBe('INJECT_FAILED');
    expect(markersLeft(w.markers)).toEqual([]);
    const store = new JournalStore(w.stateDir);
    const { state } = store.fold(store.list()[0]!);
    expect(state.endReason).toBe('failed');
    expect(state.faults.get('f1-m1')?.status).toBe('reverted');
  });

  it('`x` reverts at once and the drill goes on until `q`', async () => {
    const w = await world();
    const host = new RecordingHost({ reactions: [{ on: (e) => e.type === 'probe-result' && !e.ok, keys: ['x'] }, { on: (e) => e.type === 'fault-reverted', keys: ['n'], delayMs: 50 }, { on: (e) => e.type === 'mark' && e.mark === 'note', keys: ['q'] }], answers: { note: 'reverted early' } });
    const r = await runDrill({ scenario: markerScenario(w.markers, w.svc.url), env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir, seed: 1, tickMs: 50, recheckMs: 2000 }, deps(host));
    const { events } = new JournalStore(w.stateDir).read(r.drillId);
    expect(events.find((e) => e.type === 'fault-revert-started')).toMatchObject({ reason: 'facilitator' });
    expect(events.find((e) => e.type === 'mark' && e.mark === 'note')).toMatchObject({ text: 'reverted early' });
    expect(r.outcome).toBe('objectives-failed'); // nobody marked detect/diagnose/mitigate
    expect(markersLeft(w.markers)).toEqual([]);
  });

  it('refuses when steady state does not hold before the drill, naming the probe, and changes nothing', async () => {
    const w = await world();
    const host = new RecordingHost();
    const dead = await service(() => false);
    await dead.close(); // its port now refuses connections
    const scenario = markerScenario(w.markers, dead.url);
    const err = await runDrill({ scenario, env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir, tickMs: 50 }, deps(host)).catch((e) => e);
    expect(err).toBeInstanceOf(GamedayError);
    expect(err.code).toBe('GUARD_REFUSED');
    expect(err.message).toContain('steady state: checkout-http');
    expect(err.message).toContain('connection refused');
    expect(markersLeft(w.markers)).toEqual([]);
    expect(host.questions).toEqual([]);
  });

  it('refuses a critical environment and a set halt flag before touching anything', async () => {
    const w = await world();
    const scenario = markerScenario(w.markers, w.svc.url);
    const critical = await runDrill({ scenario, env: env({ critical: true }), mode: 'facilitated', stateDir: w.stateDir, root: w.dir }, deps(new RecordingHost())).catch((e) => e);
    expect(critical.code).toBe('GUARD_REFUSED');
    new HaltFlag(w.stateDir).set(undefined, 'game over');
    const halted = await runDrill({ scenario, env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir }, deps(new RecordingHost())).catch((e) => e);
    expect(halted.code).toBe('HALTED');
    expect(new JournalStore(w.stateDir).list()).toEqual([]);
  });

  it('the halt flag set elsewhere during a drill stops it: faults reverted, the scheduled fault never injected, ended "halted"', async () => {
    const w = await world();
    let haltedAt = 0;
    const host = new RecordingHost({
      onEvent: (e) => {
        if (e.type === 'fault-injected' && !haltedAt) {
          haltedAt = Date.now();
          new HaltFlag(w.stateDir).set(undefined, 'incident 7'); // as `gameday halt` in another terminal would
        }
      },
    });
    const scenario = markerScenario(w.markers, w.svc.url, {
      faults: [
        { kind: 'test.marker', target: { dir: w.markers, names: 'now' }, duration: '10m' },
        { kind: 'test.marker', target: { dir: w.markers, names: 'later' }, duration: '10m', at: '5s' },
      ],
    });
    const err = await runDrill({ scenario, env: env(), mode: 'unattended', stateDir: w.stateDir, root: w.dir, seed: 1, tickMs: 50 }, deps(host)).catch((e) => e);
    expect(err).toBeInstanceOf(GamedayError);
    expect(err.code).toBe('HALTED');
    expect(err.message).toBe('drill stopped: the halt flag was set (incident 7); every active fault was reverted');
    expect(markersLeft(w.markers)).toEqual([]);
    const [id] = new JournalStore(w.stateDir).list();
    const { events } = new JournalStore(w.stateDir).read(id!);
    // the second fault was due 5 s in: the drill stopped before it (the flag is watched every second)
    expect(events.filter((e) => e.type === 'fault-injected')).toHaveLength(1);
    expect(events.find((e) => e.type === 'fault-revert-started')).toMatchObject({ reason: 'halt' });
    expect(events.filter((e) => e.type === 'drill-ended')).toEqual([expect.objectContaining({ reason: 'halted' })]);
  });

  it('a second drill on the same environment is refused while one runs', async () => {
    const w = await world();
    let second: unknown;
    const host: RecordingHost = new RecordingHost({
      onEvent: (e) => {
        if (e.type === 'fault-injected') {
          second = runDrill({ scenario: markerScenario(w.markers, w.svc.url), env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir }, deps(new RecordingHost())).catch((x: unknown) => x);
          void (second as Promise<unknown>).then(() => host.press('q'));
        }
      },
    });
    await runDrill({ scenario: markerScenario(w.markers, w.svc.url), env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir, tickMs: 50, recheckMs: 100 }, deps(host));
    const err = (await second) as GamedayError;
    expect(err.code).toBe('LOCKED');
    expect(err.message).toContain('busy');
    expect(markersLeft(w.markers)).toEqual([]);
  });

  it('declining to start changes nothing', async () => {
    const w = await world();
    const r = await runDrill({ scenario: markerScenario(w.markers, w.svc.url), env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir }, deps(new RecordingHost({ answers: { start: false } })));
    expect(r.outcome).toBe('declined');
    expect(markersLeft(w.markers)).toEqual([]);
    expect(new JournalStore(w.stateDir).read(r.drillId).events.at(-1)).toMatchObject({ type: 'drill-ended', reason: 'aborted' });
  });

  it("the next drill of the scenario asks which of the earlier debrief's action items are done, and journals them", async () => {
    const w = await world();
    const drill = (answers: Record<string, string>) => {
      const host = new RecordingHost({ answers, reactions: [{ on: (e) => e.type === 'probe-result' && !e.ok, keys: ['q'] }] });
      const opts = { scenario: markerScenario(w.markers, w.svc.url), env: env(), mode: 'facilitated' as const, stateDir: w.stateDir, root: w.dir, seed: 1, tickMs: 50, recheckMs: 500 };
      return runDrill(opts, deps(host)).then((r) => ({ r, host }));
    };
    const first = await drill({ actionItems: 'add an alert @alice; update runbook @bob' });
    expect(first.host.questions.map((q) => q.id)).not.toContain('closedItems'); // nothing open yet: not asked
    const second = await drill({ closedItems: '2', actionItems: '' });
    const asked = second.host.questions.find((q) => q.id === 'closedItems')!;
    expect(asked.message).toMatch(/^ {2}1\. add an alert \(@alice\) — from \d{4}-\d{2}-\d{2}$/m);
    expect(asked.message).toMatch(/^ {2}2\. update runbook \(@bob\) — from /m);
    const debrief = new JournalStore(w.stateDir).read(second.r.drillId).events.find((e) => e.type === 'debrief');
    expect(debrief).toMatchObject({ answers: { closedItems: ['update runbook'] } });
    expect(second.r.summary?.debrief?.closedItems).toEqual(['update runbook']);
  });
});

describe('interrupts at every step leave nothing injected', () => {
  const steps: { name: string; trigger: (e: HostEvent) => boolean; cancel?: string[] }[] = [
    { name: 'during preflight', trigger: (e) => e.type === 'progress' && e.message.startsWith('preflight') },
    { name: 'at the briefing', trigger: (e) => e.type === 'plan' },
    { name: 'inside the start prompt (cancelled prompt)', trigger: () => false, cancel: ['start'] },
    { name: 'between intent and inject', trigger: (e) => e.type === 'fault-intent' },
    { name: 'right after injection', trigger: (e) => e.type === 'fault-injected' },
    { name: 'in the live loop', trigger: (e) => e.type === 'probe-result' && !e.ok },
    { name: 'inside the note prompt (cancelled prompt)', trigger: () => false, cancel: ['note'] },
    { name: 'during the debrief', trigger: () => false, cancel: ['wentWell'] },
  ];
  for (const step of steps) {
    it(step.name, async () => {
      const w = await world();
      const ac = new AbortController();
      const host = new RecordingHost({
        cancel: step.cancel,
        reactions: [{ on: (e) => e.type === 'probe-result' && !e.ok, keys: step.cancel?.includes('note') ? ['n'] : ['q'] }],
        onEvent: (e) => {
          if (step.trigger(e) && !ac.signal.aborted) ac.abort(new Error('SIGINT'));
        },
      });
      const scenario = markerScenario(w.markers, w.svc.url, { faults: [{ kind: 'test.marker', target: { dir: w.markers, names: 'm1+m2' }, params: { pauseBeforeMs: 100 }, duration: '1m' }] });
      const err = await runDrill({ scenario, env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir, tickMs: 50, recheckMs: 100 }, deps(host, ac.signal)).catch((e) => e);
      expect(err).toBeInstanceOf(GamedayError);
      expect(err.code).toBe('INTERRUPTED');
      expect(markersLeft(w.markers)).toEqual([]);
      const store = new JournalStore(w.stateDir);
      for (const id of store.list()) {
        const { state } = store.fold(id);
        expect(state.endReason).toBe('interrupted');
        expect([...state.faults.values()].filter((f) => f.status === 'active' || f.status === 'intended')).toEqual([]);
      }
      expect(existsSync(join(w.stateDir, 'locks', 'lab.lock'))).toBe(false);
    });
  }

  it('a crashed probe ends the drill like an interrupt: revert, journal, INTERRUPTED', async () => {
    const w = await world();
    const { buildPorts } = await import('../../../src/adapters/ports.js');
    const { buildProbePorts } = await import('../../../src/adapters/probes/index.js');
    const host = new RecordingHost();
    const scenario = markerScenario(w.markers, w.svc.url, { steadyState: [{ name: 'checkout-ready', type: 'k8s', namespace: 'shop', resource: 'deployment/checkout' }] });
    const err = await runDrill({ scenario, env: env(), mode: 'facilitated', stateDir: w.stateDir, root: w.dir, tickMs: 50 }, {
      host,
      signal: new AbortController().signal,
      buildPorts,
      buildProbePorts: async (e, needs) => {
        const real = await buildProbePorts(e, needs.filter((n) => n !== 'workloads'));
        return Object.assign(real, {
          workloads: {
            get: async () => ({ desired: 3, ready: 3 }),
            watch: (_ns: string, _k: string, _n: string, _cb: unknown, _s: AbortSignal) => new Promise<void>((_, reject) => setTimeout(() => reject(new TypeError('watch exploded')), 300)),
          },
        });
      },
    }).catch((e) => e);
    expect(err.code).toBe('INTERRUPTED');
    expect(err.message).toContain('checkout-ready');
    expect(markersLeft(w.markers)).toEqual([]);
    const store = new JournalStore(w.stateDir);
    const { state } = store.fold(store.list()[0]!);
    expect(state.endReason).toBe('interrupted');
  });
});
