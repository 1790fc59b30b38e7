/**
 * The live part of a drill: probes run, faults are injected (now, or on schedule while the clock
 * runs), and the loop carries out what drill/due.ts decides is due — timed hints, scheduled faults,
 * deadlines, the end — and what the facilitator's keys ask for. Returns why the drill ended.
 */
import { revertableFaults } from '../core/drill-state.js';
import { formatDuration } from '../core/duration.js';
import { describeError } from '../core/errors.js';
import type { MarkKind } from '../core/events.js';
import { startProbeLoop } from '../probes/loop.js';
import { askOrInterrupt, throwIfAborted } from './ask.js';
import { whatIsDue } from './due.js';
import type { DrillOptions, Scheduled } from './options.js';
import type { DrillHost, DrillKey } from './host.js';
import { PanelLog, panelView } from './panel-view.js';
import type { Preflighted } from './preflight.js';
import { WakeQueue } from './queue.js';
import { watchStopConditions } from './stop-conditions.js';
import { readRunbook } from './runbook.js';
import type { DrillSession } from './session.js';


interface Live {
  opts: DrillOptions;
  host: DrillHost;
  session: DrillSession;
  ready: Preflighted;
  queue: WakeQueue<DrillKey | 'probe'>;
  scheduled: Scheduled[];
  t0: number;
  log: PanelLog;
}

export async function liveLoop(opts: DrillOptions, host: DrillHost, session: DrillSession, ready: Preflighted): Promise<string> {
  const queue = new WakeQueue<DrillKey | 'probe'>(session.clock);
  startProbes(session, ready, opts, () => queue.push('probe'));
  const scheduled = await injectImmediate(session, ready, host);
  throwIfAborted(session.signal);
  const live: Live = { opts, host, session, ready, queue, scheduled, t0: session.clock.now(), log: new PanelLog(6) };
  session.journal!.onAppend((e) => live.log.add(session.clock.now() - live.t0, e, session.state));
  const stopDeadlines = session.startDeadlineTimer();
  const stopConditions = watchStopConditions(session, opts.scenario, ready);
  const stopKeys = host.listen((k) => (k === 'interrupt' ? session.abort(new Error('Ctrl-C')) : queue.push(k)));
  try {
    for (;;) {
      throwIfAborted(session.signal);
      const due = whatIsDue(snapshot(live), formatDuration);
      for (const index of due.hints) revealHint(live, index, 'timed');
      for (const index of due.faults) startScheduled(live, live.scheduled.find((s) => s.planned.index === index)!);
      await session.revertExpired();
      if (due.end) return due.end;
      host.panel(view(live));
      const key = await queue.next(due.wakeInMs, session.signal);
      if (key === undefined || key === 'probe') continue;
      const ended = await onKey(live, key);
      host.panel(view(live));
      if (ended) return ended;
    }
  } finally {
    await stopConditions();
    stopDeadlines();
    stopKeys();
    host.panel(view(live));
    host.endLive();
  }
}

const view = (live: Live) => panelView(live.session, live.opts, live.ready, live.scheduled, live.t0, live.log);

function startProbes(session: DrillSession, ready: Preflighted, opts: DrillOptions, onChange: () => void): void {
  ready.probes = startProbeLoop({
    specs: opts.scenario.steadyState,
    ports: ready.probePorts,
    signal: session.signal,
    clock: session.clock,
    onChange: (o) => {
      session.append({ type: 'probe-result', probe: o.probe, probeType: o.probeType, ok: o.ok, detail: o.detail, latencyMs: o.latencyMs });
      onChange();
    },
    onCrash: (_probe, err) => session.abort(err),
  });
}

async function injectImmediate(session: DrillSession, ready: Preflighted, host: DrillHost): Promise<Scheduled[]> {
  const immediate = ready.plan.faults.filter((f) => f.atMs <= 0);
  if (immediate.length) {
    host.emit({ type: 'progress', message: 'injecting…' });
    const injected = await session.inject({ ...ready.plan, faults: immediate }, true);
    host.emit({ type: 'success', message: `injected ${injected.length} fault target(s)` });
  }
  return ready.plan.faults.filter((f) => f.atMs > 0).map((planned) => ({ planned, started: false, done: false }));
}

function snapshot(live: Live) {
  const { session, opts, ready, t0 } = live;
  const now = session.clock.now();
  const probes = ready.probes!;
  return {
    mode: opts.mode,
    elapsedMs: now - t0,
    timeLimitMs: ready.timeLimitMs,
    hintsLeft: hintsLeft(live).map((h) => ({ index: h.index, afterMs: h.after })),
    scheduled: live.scheduled.filter((s) => !s.started).map((s) => ({ index: s.planned.index, atMs: s.planned.atMs })),
    scheduledDone: live.scheduled.every((s) => s.done),
    deadlinesInMs: revertableFaults(session.state).map((f) => (f.record.deadline ?? Infinity) - now),
    activeFaults: revertableFaults(session.state).length,
    probesOk: probes.allOk(),
    steadyForMs: now - Math.max(t0, ...probes.view().map((p) => p.since ?? 0)),
    settleMs: opts.settleMs ?? 10_000,
    tickMs: opts.tickMs ?? 1000,
  };
}

const hintsLeft = (live: Pick<Live, 'opts' | 'session'>) =>
  live.opts.scenario.hints.map((h, index) => ({ ...h, index })).filter((h) => !live.session.state.hints.some((r) => r.index === h.index));

function revealHint(live: Live, index: number, trigger: 'timed' | 'manual'): void {
  const hint = live.opts.scenario.hints[index]!;
  live.session.append({ type: 'hint-revealed', index, text: hint.text, trigger });
}

/** A scheduled fault that fails to inject ends the drill (as failed, with its error). */
function startScheduled(live: Live, s: Scheduled): void {
  const { session, host } = live;
  s.started = true;
  host.emit({ type: 'progress', message: `injecting fault ${s.planned.index + 1} (${s.planned.kind}) as scheduled…` });
  session
    .injectScheduled(s.planned)
    .then(() => void (s.done = true))
    .catch((e) => {
      const first = live.ready.backgroundFailure();
      if (first === undefined) live.ready.backgroundFailure = () => e;
      session.abort(e instanceof Error ? e : new Error(describeError(e)));
    });
}

const MARKS: Partial<Record<DrillKey, MarkKind>> = { d: 'detected', g: 'diagnosed', m: 'mitigated' };

/** Carries out one key; returns why the drill ends when the key ends it. */
async function onKey(live: Live, key: DrillKey): Promise<string | undefined> {
  const { session, host, opts } = live;
  const ask = <Q extends Parameters<DrillHost['ask']>[0]>(q: Q) => askOrInterrupt(host, session.signal, q);
  const mark = MARKS[key];
  if (mark) {
    session.append({ type: 'mark', mark });
    return undefined;
  }
  switch (key) {
    case 'c': {
      const next = opts.scenario.checklist.findIndex((_, index) => !session.state.steps.some((s) => s.index === index));
      if (next < 0) host.emit({ type: 'info', message: opts.scenario.checklist.length ? 'every step is done' : 'this drill has no checklist' });
      else session.append({ type: 'step-done', index: next, step: opts.scenario.checklist[next]!.step });
      return undefined;
    }
    case 'h': {
      const next = hintsLeft(live)[0];
      if (next) revealHint(live, next.index, 'manual');
      else host.emit({ type: 'info', message: 'no hints left' });
      return undefined;
    }
    case 'n': {
      const text = (await ask({ kind: 'input', id: 'note', message: 'Note:', default: '' })).trim();
      if (text) session.append({ type: 'mark', mark: 'note', text });
      return undefined;
    }
    case 'r': {
      const rb = readRunbook(opts.root, opts.scenario.runbook);
      host.section({ kind: 'runbook', title: `Runbook ${opts.scenario.runbook ?? ''}`, lines: rb.lines });
      return undefined;
    }
    case 'x':
      if (revertableFaults(session.state).length === 0) host.emit({ type: 'info', message: 'nothing to revert' });
      else await session.revertActive('facilitator');
      return undefined;
    case 'q':
      return (await ask({ kind: 'confirm', id: 'end', message: 'End the drill now?', default: true })) ? 'ended by the facilitator' : undefined;
    default:
      return undefined;
  }
}

/** After the end revert: wait (bounded) for steady state to come back, and say whether it did. */
export async function recheckSteadyState(opts: DrillOptions, host: DrillHost, session: DrillSession, ready: Preflighted): Promise<void> {
  const probes = ready.probes!;
  if (!opts.scenario.steadyState.length) return;
  const limit = session.clock.now() + (opts.recheckMs ?? 30_000);
  if (!probes.allOk()) host.emit({ type: 'progress', message: 'checking steady state again…' });
  while (!probes.allOk() && session.clock.now() < limit) {
    await session.clock.pause(Math.min(250, limit - session.clock.now()), session.signal);
    throwIfAborted(session.signal);
  }
  const failing = probes.view().filter((p) => !p.ok);
  host.emit(failing.length === 0 ? { type: 'success', message: 'steady state holds again' } : { type: 'warning', message: `steady state NOT restored: ${failing.map((p) => `${p.name} (${p.detail ?? '?'})`).join(', ')}` });
}
