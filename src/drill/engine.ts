/**
 * The facilitated drill, in four steps over one DrillSession (drill/session.ts):
 *   preflight (drill/preflight.ts: lock, guards, steady state, journal opened)
 *   → briefing and confirmation → the live loop (drill/live.ts: clock, hints, keys, deadlines)
 *   → the end (revert, steady-state recheck, debrief, summary).
 * The engine never prints or prompts: everything goes through the DrillHost. Every step is
 * journaled. Ctrl-C / SIGTERM (the signal), the halt flag, a cancelled prompt or a crashed probe at
 * any step: revert what is active, journal the end, throw INTERRUPTED (exit 130) or HALTED.
 */
import { EnvLock } from '../adapters/env-lock.js';
import { newDrillId } from '../adapters/journal-store.js';
import { DrillStores } from '../adapters/journals.js';
import { systemClock } from '../core/clock.js';
import { formatDuration } from '../core/duration.js';
import { describeError, GamedayError, isGamedayError } from '../core/errors.js';
import { objectiveLine, planRows } from '../core/plan-view.js';
import { pickItems, type TrackedActionItem } from '../core/history.js';
import { splitActionItems, summarize } from '../core/summary.js';
import type { JournalPort } from '../ports/journal.js';
import { closedItemsQuestion, openItemsOf } from './action-items.js';
import { summaryRows } from '../core/summary-rows.js';
import { describeProbe } from '../probes/registry.js';
import { planJson } from '../runner/plan.js';
import { askOrInterrupt, Interrupt, reasonOf } from './ask.js';
import type { Notifier } from '../ports/notify.js';
import type { DrillHost } from './host.js';
import { liveLoop, recheckSteadyState } from './live.js';
import { preflight, type Preflighted } from './preflight.js';
import type { DrillDeps, DrillOptions, DrillResult } from './options.js';
import { DrillSession } from './session.js';
import { StopConditionBreached } from './stop-conditions.js';

export type { DrillDeps, DrillOptions, DrillResult } from './options.js';

export async function runDrill(opts: DrillOptions, deps: DrillDeps): Promise<DrillResult> {
  const clock = deps.clock ?? systemClock;
  // the journal and halt flag of the environment: the state directory's, or its cluster's
  const stores = new DrillStores(opts.stateDir, { [opts.env.name]: opts.env });
  const session = DrillSession.open(newDrillId(opts.scenario.id, new Date(clock.now())), opts.env, {
    clock,
    journals: stores.journalFor(opts.env),
    halt: stores.halt,
    lock: new EnvLock(opts.stateDir),
    clusterLock: deps.clusterLock,
    host: deps.host,
    signal: deps.signal,
  });
  deps.host.setSignal?.(session.signal);
  let ready: Preflighted | undefined;
  try {
    ready = await preflight(opts, deps, session);
    const targets = ready.plan.faults.reduce((n, f) => n + f.selection.targets.length, 0);
    deps.notifier?.notify({ kind: 'start', drillId: session.drillId, env: opts.env.name, scenario: opts.scenario.id, text: `${opts.mode} drill started: ${targets} fault target(s), time limit ${formatDuration(ready.timeLimitMs)}` });
    if (!(await brief(opts, deps.host, session, ready))) return { drillId: session.drillId, events: session.events, outcome: 'declined' };
    const endDetail = await liveLoop(opts, deps.host, session, ready);
    return await finish(opts, deps.host, session, ready, endDetail, stores.journals);
  } catch (caught) {
    throw await failed(session, caught, ready?.backgroundFailure(), deps.notifier);
  } finally {
    await ready?.probes?.stop().catch(() => undefined);
    await session.stopFollowing();
    await ready?.probePorts.close().catch(() => undefined);
    await session.close();
  }
}

/** The facilitator's summary, the plan and the players' briefing; then "start the clock?". */
async function brief(opts: DrillOptions, host: DrillHost, session: DrillSession, ready: Preflighted): Promise<boolean> {
  const { scenario } = opts;
  const { plan } = ready;
  host.section({
    kind: 'summary',
    title: `${scenario.title} — facilitator summary (do not read aloud)`,
    lines: [
      ...scenario.summary.trim().split('\n'),
      '',
      `Objectives: ${objectiveLine(scenario) || 'none'}`,
      `Hints: ${scenario.hints.length} (${scenario.hints.filter((h) => h.after !== undefined).length} timed)   Time limit: ${formatDuration(ready.timeLimitMs)}   Runbook: ${scenario.runbook ?? '—'}`,
      `Steady state: ${scenario.steadyState.map((p) => `${p.name} (${describeProbe(p)})`).join('; ') || 'no probes'}`,
    ],
  });
  host.section({ kind: 'plan', title: 'Plan', lines: planRows(planJson(plan)) });
  host.section({ kind: 'briefing', title: 'Player briefing (read aloud or paste)', lines: scenario.briefing.trim().split('\n') });
  const targets = plan.faults.reduce((n, f) => n + f.selection.targets.length, 0);
  const go = await askOrInterrupt(host, session.signal, { kind: 'confirm', id: 'start', message: plan.faults.length ? `Inject ${targets} fault target(s) on ${opts.env.name} and start the clock?` : 'Start the clock?', default: true });
  if (!go) {
    session.end('aborted', 'the facilitator did not start the drill');
    host.emit({ type: 'info', message: 'not started; nothing was changed' });
  }
  return go;
}

/** The end of a drill that ran its course: revert, recheck steady state, debrief, summary. */
async function finish(opts: DrillOptions, host: DrillHost, session: DrillSession, ready: Preflighted, endDetail: string, journals: JournalPort): Promise<DrillResult> {
  await session.revertActive('drill-end');
  session.stopKeepAlives();
  await recheckSteadyState(opts, host, session, ready);
  await ready.probes?.stop();
  await session.stopFollowing();
  if (opts.mode === 'facilitated') await debrief(host, session, openItemsOf(journals, opts.scenario.id, (message) => host.emit({ type: 'warning', message })));
  session.end('completed', endDetail);
  const summary = summarize(session.events, session.state);
  host.section({ kind: 'result', title: 'Summary', lines: summaryRows(summary) });
  return { drillId: session.drillId, summary, events: session.events, outcome: summary.passed ? 'passed' : 'objectives-failed' };
}

/** The four questions, and which earlier action items of the scenario are done (asked only when some are open). */
async function debrief(host: DrillHost, session: DrillSession, open: readonly TrackedActionItem[]): Promise<void> {
  const ask = (id: string, message: string) => askOrInterrupt(host, session.signal, { kind: 'input', id, message, default: '' });
  const closedItems = open.length ? pickItems(await ask('closedItems', closedItemsQuestion(open)), open) : [];
  const wentWell = await ask('wentWell', 'Debrief — what went well?');
  const hard = await ask('hard', 'What was hard?');
  const gaps = await ask('gaps', 'Gaps found (docs, alerts, runbooks, tooling)?');
  const actions = await ask('actionItems', 'Action items, with owners ("fix the alert @alice; update runbook @bob"):');
  session.append({ type: 'debrief', answers: { wentWell, hard, gaps, actionItems: splitActionItems(actions), ...(open.length ? { closedItems } : {}) } });
}

/**
 * A drill that did not run its course: revert what is active, journal why it ended, and turn the
 * cause into the error the CLI maps to an exit code. A scheduled fault that failed to inject ends
 * the drill as failed (its error), not as interrupted.
 */
async function failed(session: DrillSession, caught: unknown, backgroundFailure: unknown, notifier?: Notifier): Promise<unknown> {
  const { signal } = session;
  const e = backgroundFailure ?? caught;
  const halted = backgroundFailure === undefined ? session.haltedBy : undefined;
  const stopped = backgroundFailure === undefined && signal.reason instanceof StopConditionBreached ? signal.reason : undefined;
  const interrupted = backgroundFailure === undefined && !halted && !stopped && (e instanceof Interrupt || signal.aborted || (isGamedayError(e) && e.code === 'INTERRUPTED'));
  const why = backgroundFailure !== undefined ? describeError(backgroundFailure) : e instanceof Interrupt ? e.why : signal.aborted ? reasonOf(signal) : describeError(e);
  (session.host as DrillHost).endLive();
  const started = session.journal !== undefined;
  const abortedBy = stopped ?? halted;
  if (started && abortedBy) notifier?.notify({ kind: 'abort', drillId: session.drillId, env: session.env.name, scenario: session.state.scenario, text: `${abortedBy.message}; reverting every active fault` });
  if (started && session.state.endedAt === undefined) {
    try {
      await session.revertActive(halted ? 'halt' : interrupted ? 'interrupt' : 'rollback');
    } finally {
      if (halted) session.end('halted', halted.message);
      else if (stopped) session.end('aborted', stopped.message);
      else session.end(interrupted ? 'interrupted' : 'failed', why);
    }
  }
  const out = stopped
    ? new GamedayError('OBJECTIVES_FAILED', `drill aborted by its ${stopped.message}; ${started ? 'every active fault was reverted' : 'nothing was injected'}`, { hint: `the journal is kept: \`gameday report ${session.drillId}\``, cause: e })
    : halted
    ? new GamedayError('HALTED', `drill stopped: ${halted.message}; ${started ? 'every active fault was reverted' : 'nothing was injected'}`, { hint: 'new drills are refused until `gameday halt --clear`', cause: e })
    : interrupted
      ? new GamedayError('INTERRUPTED', `drill interrupted (${why}); ${started ? 'every active fault was reverted' : 'nothing was injected'}`, { hint: started ? `the journal is kept: \`gameday report ${session.drillId}\`` : undefined, cause: e })
      : e;
  // the CLI writes --report even for a drill that did not complete
  if (started && out instanceof Error) Object.assign(out, { drillId: session.drillId, events: session.events });
  return out;
}
