/**
 * The facilitated drill, step by step:
 *   preflight (non-critical env, halt flag, env lock, guards, steady state) → summary, plan and
 *   briefing → confirm → inject (the runner) → live loop (clock, timed hints, keys → marks, probes,
 *   deadlines) → end (revert, steady-state recheck, debrief) → summary.
 * The engine never prints or prompts: everything goes through the DrillHost. Every step is
 * journaled. Ctrl-C / SIGTERM (the signal), a cancelled prompt or a crashed probe at any step:
 * revert what is active, journal `drill-ended: interrupted`, throw INTERRUPTED (exit 130).
 */
import { hostname } from 'node:os';
import { applyEvent, emptyDrillState, revertableFaults, type DrillState } from '../core/drill-state.js';
import { formatDuration } from '../core/duration.js';
import type { Environment } from '../core/environment.js';
import { describeError, GamedayError, isGamedayError } from '../core/errors.js';
import type { DrillEvent, DrillEventBody, MarkKind, RevertReason } from '../core/events.js';
import type { Answer, Question } from '../core/host.js';
import { newSeed } from '../core/random.js';
import { DEFAULT_TIME_LIMIT_MS, type Scenario } from '../core/scenario.js';
import { EnvLock } from '../adapters/env-lock.js';
import { HaltFlag } from '../adapters/halt-flag.js';
import { JournalStore, newDrillId, type JournalWriter } from '../adapters/journal-store.js';
import type { PortBuilder } from '../adapters/ports.js';
import type { PortSet } from '../ports/index.js';
import type { ProbePorts, ProbePortName } from '../ports/probes.js';
import { checkAll, startProbeLoop, type ProbeLoop } from '../probes/loop.js';
import { describeProbe, probePortsNeeded } from '../probes/registry.js';
import { portsNeeded, refusalHint, resolvePlan, planEvent, type Plan } from '../runner/plan.js';
import { injectFault, injectPlan, keepAlive, observeAll, type InjectedFault, type RunnerDeps } from '../runner/runner.js';
import { endUnlessClosed } from '../runner/recover.js';
import { revertAll } from '../runner/revert.js';
import type { DrillHost, DrillKey, PanelView } from './host.js';
import { objectiveLine, planJson, planLines } from './plan-view.js';
import type { ClusterLock, HeldLease } from './lease.js';
import { WakeQueue } from './queue.js';
import { readRunbook } from './runbook.js';
import { splitActionItems, summarize, type DrillSummary } from './summary.js';

export { DEFAULT_TIME_LIMIT_MS };

export interface DrillOptions {
  scenario: Scenario;
  env: Environment;
  mode: 'facilitated' | 'unattended';
  stateDir: string;
  /** project root: runbook links are relative to it */
  root: string;
  seed?: number;
  /** unattended: end once steady state has held this long with nothing active (default 10s) */
  settleMs?: number;
  /** after the end revert, wait this long at most for steady state to come back (default 30s) */
  recheckMs?: number;
  /** panel refresh (default 1s) */
  tickMs?: number;
}

export interface DrillDeps {
  host: DrillHost;
  signal: AbortSignal;
  buildPorts: PortBuilder;
  buildProbePorts: (env: Environment, needs: readonly ProbePortName[]) => Promise<ProbePorts & { close(): Promise<void> }>;
  /** the cluster side of the environment lock (a Lease); omitted: the lock file only */
  clusterLock?: ClusterLock;
}

export interface DrillResult {
  drillId: string;
  /** undefined when the facilitator declined to start (nothing happened) */
  summary?: DrillSummary;
  events: DrillEvent[];
  outcome: 'passed' | 'objectives-failed' | 'declined';
}

class Interrupt extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

/** The abort reason when `gameday halt` (any process) set the halt flag during the drill. */
class HaltedByFlag extends Error {
  constructor(readonly haltReason: string | undefined) {
    super(`the halt flag was set${haltReason ? ` (${haltReason})` : ''}`);
  }
}

const abortReason = (signal: AbortSignal): string => {
  const r = signal.reason as unknown;
  if (r instanceof Error) return r.message;
  return typeof r === 'string' ? r : 'interrupted';
};

export async function runDrill(opts: DrillOptions, deps: DrillDeps): Promise<DrillResult> {
  const { scenario, env } = opts;
  const { host } = deps;
  const tick = opts.tickMs ?? 1000;
  const ac = new AbortController();
  const onOuterAbort = () => ac.abort(deps.signal.reason ?? new Error('interrupted'));
  if (deps.signal.aborted) onOuterAbort();
  deps.signal.addEventListener('abort', onOuterAbort, { once: true });
  const signal = ac.signal;
  host.setSignal?.(signal);

  const checkAbort = () => {
    if (signal.aborted) throw new Interrupt(abortReason(signal));
  };
  /** a question that gives way to Ctrl-C, a crashed probe or a cancelled prompt */
  const ask = async <Q extends Question>(q: Q): Promise<Answer<Q>> => {
    checkAbort();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Interrupt(abortReason(signal)));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([host.ask(q), aborted]);
    } catch (e) {
      if (e instanceof Interrupt) throw e;
      if (isGamedayError(e) && e.code === 'INTERRUPTED') throw new Interrupt(e.message);
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
  };

  // ── preflight, part 1: what needs no network ───────────────────────────────────────────────
  if (env.critical) throw new GamedayError('GUARD_REFUSED', `environment "${env.name}" is marked critical: gameday never runs drills on it`, { hint: 'use a non-critical environment (critical: false in gameday.yaml)' });
  const halt = new HaltFlag(opts.stateDir).state(env.name);
  if (halt.halted) throw new GamedayError('HALTED', `the halt flag is set${halt.reason ? ` (${halt.reason})` : ''}: no drill may start`, { hint: 'clear it with `gameday halt --clear` once it is safe' });
  const drillId = newDrillId(scenario.id);
  const release = new EnvLock(opts.stateDir).acquire(env.name, drillId); // throws LOCKED
  // from here on, `gameday halt` anywhere on this state directory stops the drill within a second
  const stopHaltWatch = new HaltFlag(opts.stateDir).watch(env.name, (reason) => ac.abort(new HaltedByFlag(reason)));

  const events: DrillEvent[] = [];
  const state: DrillState = emptyDrillState(drillId);
  let journal: JournalWriter | undefined;
  let ports: Partial<PortSet> = {};
  let probePorts: (ProbePorts & { close(): Promise<void> }) | undefined;
  let probes: ProbeLoop | undefined;
  let lease: HeldLease | undefined;
  let stopKeys: (() => void) | undefined;
  let stopKeepAlive: (() => void) | undefined;
  const observers: Promise<void>[] = [];
  const observeAbort = new AbortController();
  const append = (body: DrillEventBody) => journal!.append(body);

  // reverts never overlap: the deadline timer, `x`, the end and an interrupt take turns
  let reverting: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = reverting.then(fn, fn);
    reverting = next.catch(() => undefined);
    return next;
  };
  const revertActive = (reason: RevertReason) =>
    serially(async () => {
      const records = revertableFaults(state).map((f) => f.record);
      if (!records.length) return;
      host.emit({ type: 'progress', message: `reverting ${records.length} fault(s)…` });
      const results = await revertAll(records, reason, { journal: journal!, ports, env, host });
      const failed = results.filter((r) => r.outcome === 'failed');
      if (failed.length) host.emit({ type: 'warning', message: `revert failed for ${failed.map((f) => `${f.target} (${f.error})`).join(', ')}: run \`gameday recover ${drillId}\`` });
      else host.emit({ type: 'success', message: `reverted ${records.length} fault(s)` });
    });
  /** reverts faults whose deadline passed; runs on its own timer so an open prompt cannot delay it */
  const revertExpired = () =>
    serially(async () => {
      const now = Date.now();
      const expired = revertableFaults(state).filter((f) => f.record.deadline !== undefined && f.record.deadline <= now && f.status !== 'revert-failed');
      if (!expired.length) return;
      host.emit({ type: 'info', message: `deadline reached: reverting ${expired.length} fault(s)` });
      await revertAll(expired.map((f) => f.record), 'deadline', { journal: journal!, ports, env, host });
    });
  let deadlineTimer: NodeJS.Timeout | undefined;
  let backgroundFailureOf: () => unknown = () => undefined;

  try {
    host.emit({ type: 'progress', message: `preflight on ${env.name}: resolving targets and checking steady state…` });
    lease = await deps.clusterLock?.(env, drillId, (message) => host.emit({ type: 'warning', message })); // throws LOCKED
    checkAbort();
    const seed = opts.seed ?? newSeed();
    ports = await deps.buildPorts(env, portsNeeded(scenario.faults));
    checkAbort();
    const plan: Plan = await resolvePlan({ env, faults: scenario.faults, seed, halt }, { ports, signal, progress: (m) => host.emit({ type: 'progress', message: m }) });
    checkAbort();
    probePorts = await deps.buildProbePorts(env, probePortsNeeded(scenario.steadyState));
    const steady = await checkAll(scenario.steadyState, probePorts, signal);
    checkAbort();

    // ── the journal starts once the lock is ours ───────────────────────────────────────────
    journal = new JournalStore(opts.stateDir).open(drillId);
    journal.onAppend((e) => {
      events.push(e);
      applyEvent(state, e);
      host.emit(e);
    });
    const timeLimitMs = scenario.timeLimit ?? DEFAULT_TIME_LIMIT_MS;
    append({
      type: 'drill-started', mode: opts.mode, env: env.name, scenario: scenario.id, title: scenario.title, pid: process.pid, host: hostname(), timeLimitMs, seed,
      objectives: scenario.objectives, hintCount: scenario.hints.length, runbook: scenario.runbook,
    });
    const checks = [
      { name: 'environment non-critical', ok: true, detail: env.name },
      { name: 'halt flag clear', ok: true },
      { name: 'environment lock', ok: true, detail: `held by this drill (pid ${process.pid})${lease ? `; cluster lease ${lease.name}` : ''}` },
      ...plan.verdicts.filter((v) => v.guard !== 'environment' && v.guard !== 'halt-flag').map((v) => ({ name: `guard ${v.guard}${v.fault !== undefined ? ` (fault ${v.fault + 1})` : ''}`, ok: v.ok, detail: v.detail })),
      ...steady.map((r) => ({ name: `steady state: ${r.probe}`, ok: r.ok, detail: r.detail })),
    ];
    const preflightOk = checks.every((c) => c.ok);
    append({ type: 'preflight', ok: preflightOk, checks });
    if (!preflightOk) {
      const failed = checks.filter((c) => !c.ok);
      append({ type: 'drill-ended', reason: 'aborted', detail: `preflight failed: ${failed.map((c) => c.name).join(', ')}` });
      const probeFailed = failed.filter((c) => c.name.startsWith('steady state'));
      throw new GamedayError(
        'GUARD_REFUSED',
        `preflight refused the drill, nothing was changed:\n${failed.map((c) => `  ✘ ${c.name}: ${c.detail ?? 'failed'}`).join('\n')}`,
        { hint: probeFailed.length ? 'steady state must hold before a drill: fix (or wait for) the failing probe first' : refusalHint(plan.verdicts) },
      );
    }
    append(planEvent(plan, Date.now()));

    // ── briefing and confirmation ──────────────────────────────────────────────────────────
    host.section({ kind: 'summary', title: `${scenario.title} — facilitator summary (do not read aloud)`, lines: [
      ...scenario.summary.trim().split('\n'),
      '',
      `Objectives: ${objectiveLine(scenario) || 'none'}`,
      `Hints: ${scenario.hints.length} (${scenario.hints.filter((h) => h.after !== undefined).length} timed)   Time limit: ${formatDuration(timeLimitMs)}   Runbook: ${scenario.runbook ?? '—'}`,
      `Steady state: ${scenario.steadyState.map((p) => `${p.name} (${describeProbe(p)})`).join('; ') || 'no probes'}`,
    ] });
    host.section({ kind: 'plan', title: 'Plan', lines: planLines(planJson(plan)) });
    host.section({ kind: 'briefing', title: 'Player briefing (read aloud or paste)', lines: scenario.briefing.trim().split('\n') });
    const go = await ask({ kind: 'confirm', id: 'start', message: plan.faults.length ? `Inject ${plan.faults.reduce((n, f) => n + f.selection.targets.length, 0)} fault target(s) on ${env.name} and start the clock?` : 'Start the clock?', default: true });
    if (!go) {
      append({ type: 'drill-ended', reason: 'aborted', detail: 'the facilitator did not start the drill' });
      host.emit({ type: 'info', message: 'not started; nothing was changed' });
      return { drillId, events, outcome: 'declined' };
    }

    // ── probes run from now on; inject ──────────────────────────────────────────────────────
    const queue = new WakeQueue<DrillKey | 'probe'>();
    probes = startProbeLoop({
      specs: scenario.steadyState,
      ports: probePorts,
      signal,
      onChange: (o) => {
        append({ type: 'probe-result', probe: o.probe, probeType: o.probeType, ok: o.ok, detail: o.detail, latencyMs: o.latencyMs });
        queue.push('probe');
      },
      onCrash: (_probe, err) => ac.abort(err),
    });
    const runnerDeps: RunnerDeps = { journal, ports, env, host, signal, attached: true };
    // faults with an `at` delay are injected later, from the live loop, so the clock runs meanwhile
    const immediate = plan.faults.filter((f) => f.atMs <= 0);
    const delayed = plan.faults.filter((f) => f.atMs > 0).map((f) => ({ planned: f, started: false, done: false }));
    const keepers: (() => void)[] = [];
    stopKeepAlive = () => keepers.forEach((k) => k());
    const follow = (faults: InjectedFault[]) => {
      keepers.push(keepAlive(faults, runnerDeps));
      observers.push(observeAll(faults, { ...runnerDeps, signal: AbortSignal.any([signal, observeAbort.signal]) }));
    };
    if (immediate.length) {
      host.emit({ type: 'progress', message: 'injecting…' });
      const injected = await injectPlan({ ...plan, faults: immediate }, runnerDeps);
      host.emit({ type: 'success', message: `injected ${injected.length} fault target(s)` });
      follow(injected);
    }
    checkAbort();
    const t0 = Date.now();
    let backgroundFailure: unknown;
    backgroundFailureOf = () => backgroundFailure;
    const startDelayed = (now: number) => {
      for (const d of delayed.filter((x) => !x.started && now >= t0 + x.planned.atMs)) {
        d.started = true;
        void serially(async () => {
          checkAbort();
          host.emit({ type: 'progress', message: `injecting fault ${d.planned.index + 1} (${d.planned.kind}) as scheduled…` });
          follow(await injectFault(d.planned, runnerDeps));
          d.done = true;
        }).catch((e) => {
          backgroundFailure ??= e;
          if (!signal.aborted) ac.abort(e instanceof Error ? e : new Error(describeError(e)));
        });
      }
    };

    // ── the live loop ───────────────────────────────────────────────────────────────────────
    const log: string[] = [];
    const note = (s: string) => {
      log.push(`${formatDuration(Date.now() - t0).padStart(7)}  ${s}`);
      if (log.length > 6) log.shift();
    };
    journal.onAppend((e) => {
      const line = logLine(e, state);
      if (line) note(line);
    });
    deadlineTimer = setInterval(() => void revertExpired().catch((e) => host.emit({ type: 'warning', message: `deadline revert failed: ${describeError(e)}` })), 1000);
    stopKeys = host.listen((k: DrillKey | 'interrupt') => (k === 'interrupt' ? ac.abort(new Error('Ctrl-C')) : queue.push(k)));
    const hintsLeft = () => scenario.hints.map((h, index) => ({ ...h, index })).filter((h) => !state.hints.some((r) => r.index === h.index));
    const revealHint = (trigger: 'timed' | 'manual') => {
      const next = trigger === 'manual' ? hintsLeft()[0] : hintsLeft().find((h) => h.after !== undefined && Date.now() - t0 >= h.after);
      if (!next) return false;
      append({ type: 'hint-revealed', index: next.index, text: next.text, trigger });
      return true;
    };
    const mark = (m: MarkKind, text?: string) => append({ type: 'mark', mark: m, text });
    const settleMs = opts.settleMs ?? 10_000;
    let endDetail = '';

    const view = (): PanelView => {
      const now = Date.now();
      const left = hintsLeft();
      const timed = left.filter((h) => h.after !== undefined).map((h) => t0 + h.after! - now);
      return {
        drillId, title: scenario.title, env: env.name, mode: opts.mode, elapsedMs: now - t0, timeLimitMs,
        faults: [
          ...[...state.faults.values()].map((f) => ({ target: f.record.target, kind: f.record.kind, status: f.status, reversible: f.record.reversible, deadlineInMs: f.record.deadline && (f.status === 'active' || f.status === 'intended') ? f.record.deadline - now : undefined })),
          ...delayed.filter((d) => !d.started).flatMap((d) => d.planned.selection.targets.map((t) => ({ target: t.scope.resource, kind: d.planned.kind, status: 'scheduled', reversible: d.planned.injector.reversible, startsInMs: t0 + d.planned.atMs - now }))),
        ],
        probes: probes!.view().map((p) => ({ name: p.name, ok: p.ok, detail: p.detail, sinceMs: p.since === undefined ? undefined : now - p.since })),
        hints: { revealed: state.hints.length, total: scenario.hints.length, nextDueInMs: timed.length ? Math.max(0, Math.min(...timed)) : undefined, lastText: state.hints[state.hints.length - 1]?.text },
        marks: state.marks.filter((m) => m.mark !== 'note').map((m) => ({ mark: m.mark, atMs: Date.parse(m.at) - t0 })),
        log: [...log],
      };
    };

    for (;;) {
      checkAbort();
      const now = Date.now();
      // nobody reads hints in an unattended drill: they would only cost points
      if (opts.mode === 'facilitated') while (revealHint('timed'));
      startDelayed(now);
      await revertExpired();
      if (now - t0 >= timeLimitMs) {
        endDetail = `time limit (${formatDuration(timeLimitMs)}) reached`;
        break;
      }
      if (opts.mode === 'unattended' && delayed.every((d) => d.done) && revertableFaults(state).length === 0 && probes.allOk()) {
        const lastChange = Math.max(t0, ...probes.view().map((p) => p.since ?? 0));
        if (now - lastChange >= settleMs) {
          endDetail = 'steady state held with nothing active';
          break;
        }
      }
      host.panel(view());
      const nextHint = hintsLeft().filter((h) => h.after !== undefined).map((h) => t0 + h.after! - now);
      const nextDeadline = revertableFaults(state).map((f) => (f.record.deadline ?? Infinity) - now);
      const nextFault = delayed.filter((d) => !d.started).map((d) => t0 + d.planned.atMs - now);
      const wait = Math.max(0, Math.min(tick, ...nextHint, ...nextDeadline, ...nextFault, t0 + timeLimitMs - now));
      const k = await queue.next(wait, signal);
      if (k === undefined || k === 'probe') continue;
      let ended = false;
      switch (k) {
        case 'h':
          if (!revealHint('manual')) host.emit({ type: 'info', message: 'no hints left' });
          break;
        case 'd':
          mark('detected');
          break;
        case 'g':
          mark('diagnosed');
          break;
        case 'm':
          mark('mitigated');
          break;
        case 'n': {
          const text = (await ask({ kind: 'input', id: 'note', message: 'Note:', default: '' })).trim();
          if (text) mark('note', text);
          break;
        }
        case 'r': {
          const rb = readRunbook(opts.root, scenario.runbook);
          host.section({ kind: 'runbook', title: `Runbook ${scenario.runbook ?? ''}`, lines: rb.lines });
          break;
        }
        case 'x':
          if (revertableFaults(state).length === 0) host.emit({ type: 'info', message: 'nothing to revert' });
          else await revertActive('facilitator');
          break;
        case 'q':
          if (await ask({ kind: 'confirm', id: 'end', message: 'End the drill now?', default: true })) {
            endDetail = 'ended by the facilitator';
            ended = true;
          }
          break;
      }
      host.panel(view());
      if (ended) break;
    }

    // ── the end: revert, recheck, debrief ──────────────────────────────────────────────────
    clearInterval(deadlineTimer);
    stopKeys();
    stopKeys = undefined;
    host.panel(view());
    host.endLive();
    await revertActive('drill-end');
    stopKeepAlive?.();
    stopKeepAlive = undefined;
    if (scenario.steadyState.length) {
      const limit = Date.now() + (opts.recheckMs ?? 30_000);
      if (!probes.allOk()) host.emit({ type: 'progress', message: 'checking steady state again…' });
      while (!probes.allOk() && Date.now() < limit) await new WakeQueue<never>().next(Math.min(250, limit - Date.now()), signal).then(checkAbort);
      const ok = probes.allOk();
      host.emit(ok ? { type: 'success', message: 'steady state holds again' } : { type: 'warning', message: `steady state NOT restored: ${probes.view().filter((p) => !p.ok).map((p) => `${p.name} (${p.detail ?? '?'})`).join(', ')}` });
    }
    await probes.stop();
    observeAbort.abort();
    await Promise.allSettled(observers);

    if (opts.mode === 'facilitated') {
      const wentWell = await ask({ kind: 'input', id: 'wentWell', message: 'Debrief — what went well?', default: '' });
      const hard = await ask({ kind: 'input', id: 'hard', message: 'What was hard?', default: '' });
      const gaps = await ask({ kind: 'input', id: 'gaps', message: 'Gaps found (docs, alerts, runbooks, tooling)?', default: '' });
      const actions = await ask({ kind: 'input', id: 'actionItems', message: 'Action items, with owners ("fix the alert @alice; update runbook @bob"):', default: '' });
      append({ type: 'debrief', answers: { wentWell, hard, gaps, actionItems: splitActionItems(actions) } });
    }
    append({ type: 'drill-ended', reason: 'completed', detail: endDetail });
    const summary = summarize(events, state);
    host.section({ kind: 'result', title: 'Summary', lines: summaryLines(summary) });
    return { drillId, summary, events, outcome: summary.passed ? 'passed' : 'objectives-failed' };
  } catch (caught) {
    // a scheduled fault that failed to inject ends the drill as failed (its error), not interrupted
    const failure = backgroundFailureOf();
    const e = failure ?? caught;
    const halted = failure === undefined && signal.reason instanceof HaltedByFlag ? signal.reason : undefined;
    const interrupted = failure === undefined && !halted && (e instanceof Interrupt || signal.aborted || (isGamedayError(e) && e.code === 'INTERRUPTED'));
    const why = failure !== undefined ? describeError(failure) : e instanceof Interrupt ? e.why : signal.aborted ? abortReason(signal) : describeError(e);
    clearInterval(deadlineTimer);
    stopKeys?.();
    host.endLive();
    if (journal && state.endedAt === undefined) {
      try {
        await revertActive(halted ? 'halt' : interrupted ? 'interrupt' : 'rollback');
      } finally {
        if (halted) endUnlessClosed(new JournalStore(opts.stateDir), journal, 'halted', halted.message);
        else append({ type: 'drill-ended', reason: interrupted ? 'interrupted' : 'failed', detail: why });
      }
    }
    const out = halted
      ? new GamedayError('HALTED', `drill stopped: ${halted.message}; ${journal ? 'every active fault was reverted' : 'nothing was injected'}`, { hint: 'new drills are refused until `gameday halt --clear`', cause: e })
      : interrupted
        ? new GamedayError('INTERRUPTED', `drill interrupted (${why}); ${journal ? 'every active fault was reverted' : 'nothing was injected'}`, { hint: journal ? `the journal is kept: \`gameday report ${drillId}\`` : undefined, cause: e })
        : e;
    // the CLI writes --report even for a drill that did not complete
    if (journal && out instanceof Error) Object.assign(out, { drillId, events });
    throw out;
  } finally {
    stopHaltWatch();
    clearInterval(deadlineTimer);
    stopKeepAlive?.();
    observeAbort.abort();
    await probes?.stop().catch(() => undefined);
    await Promise.allSettled(observers);
    await probePorts?.close().catch(() => undefined);
    journal?.close();
    await lease?.release().catch(() => undefined);
    release();
    deps.signal.removeEventListener('abort', onOuterAbort);
  }
}

function logLine(e: DrillEvent, state: DrillState): string | undefined {
  const target = (id: string) => state.faults.get(id)?.record.target ?? id;
  switch (e.type) {
    case 'probe-result':
      return `probe ${e.probe}: ${e.ok ? 'healthy' : 'BROKEN'}${e.detail ? ` (${e.detail})` : ''}`;
    case 'hint-revealed':
      return `hint ${e.index + 1}${e.trigger === 'timed' ? ' (timed)' : ''}: ${e.text}`;
    case 'mark':
      return e.mark === 'note' ? `note: ${e.text ?? ''}` : `marked ${e.mark}`;
    case 'fault-reverted':
      return `reverted ${target(e.faultId)}`;
    case 'fault-revert-failed':
      return `REVERT FAILED ${target(e.faultId)}: ${e.error}`;
    case 'fault-observed':
      return `${target(e.faultId)}: ${Object.entries(e.detail).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ').slice(0, 100)}`;
    default:
      return undefined;
  }
}

export function summaryLines(s: DrillSummary): string[] {
  const out: string[] = [];
  out.push(`${s.title ?? s.scenario ?? s.drillId} on ${s.env ?? '?'} — ${s.endReason ?? 'open'}${s.durationMs !== undefined ? ` after ${formatDuration(s.durationMs)}` : ''}`);
  for (const m of s.measures) {
    const value = m.ms === undefined ? '—' : formatDuration(m.ms);
    const target = m.objectiveMs === undefined ? 'no objective' : `objective ${formatDuration(m.objectiveMs)}`;
    const verdict = !m.applicable ? 'n/a' : m.objectiveMs === undefined ? '' : m.met ? 'MET' : 'MISSED';
    out.push(`  ${m.label.padEnd(17)} ${value.padStart(8)}   ${target.padEnd(22)} ${verdict}${m.note ? `  (${m.note})` : ''}`);
  }
  out.push(`  Hints used        ${String(s.hintsUsed).padStart(8)}${s.hintCount !== undefined ? ` of ${s.hintCount}` : ''}`);
  out.push(`  Score             ${String(s.score).padStart(8)} / 100   ${s.passed ? 'PASSED' : s.endReason === 'completed' ? 'objectives not met' : `did not complete (${s.endReason ?? 'open'})`}`);
  if (s.steadyAtEnd !== undefined) out.push(`  Steady state at the end: ${s.steadyAtEnd ? 'holds' : 'BROKEN'}`);
  out.push(`  Drill id: ${s.drillId}   (gameday report ${s.drillId} --format html --out report.html)`);
  return out;
}
