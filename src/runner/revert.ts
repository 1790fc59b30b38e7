/**
 * Reverting one fault from its journaled record, in this process or any other after a crash.
 * The journal says what happens before it happens: revert-started → revert → reverted (or
 * revert-failed) → verify.
 *
 * Bounded and exclusive:
 *   - the revert first takes the fault's claim (src/adapters/fault-claim.ts): halt, recover, the
 *     deadline keeper and a live drill never revert one fault at once; whoever finds it claimed
 *     waits for the holder, then reads the outcome from the journal instead of reverting again;
 *   - a whole revert (waiting for the claim included) has a deadline (the injector's
 *     revertDeadlineMs, else DEFAULT_REVERT_DEADLINE_MS), and every Kubernetes and AWS call in it
 *     is cut when the deadline passes (src/adapters/call-scope.ts). What did not finish is
 *     journaled as failed with what it was waiting for, and stays active for the next try.
 *   - `cancel` (halt and recover pass Ctrl-C / SIGTERM) stops the wait the same way. Live drills
 *     pass none: their revert is what Ctrl-C asks for, and only the deadline bounds it.
 */
import type { Environment } from '../core/environment.js';
import { foldDrill, type FaultStatus } from '../core/drill-state.js';
import { describeError, GamedayError } from '../core/errors.js';
import type { FaultRecord, RevertReason } from '../core/events.js';
import type { Host } from '../core/host.js';
import type { RevertOutcome } from '../injectors/contract.js';
import { findInjector } from '../injectors/registry.js';
import type { PortSet } from '../ports/index.js';
import type { ClaimHolder, JournalAppender } from '../ports/journal.js';
import { scopeProbe, withCallScope, type InFlightCall } from '../adapters/call-scope.js';
import { makeInjectorContext } from './context.js';

/**
 * A revert that does not finish in 3 minutes is stuck: most reverts are a handful of calls
 * (seconds), and every call gives up by itself after ≈ 31 s without an answer. Injectors that
 * legitimately wait longer (a load balancer becoming active) declare their own.
 */
export const DEFAULT_REVERT_DEADLINE_MS = 3 * 60_000;
/** After a cut, how long the cut calls get to unwind before the claim is released. */
const UNWIND_MS = 1_000;
/** How often a long revert says what it waits for. */
const WAITING_NOTICE_MS = 10_000;

export interface RevertDeps {
  journal: JournalAppender;
  ports: Partial<PortSet>;
  env: Environment;
  host: Host;
  /** stops waiting and reverting (halt and recover pass Ctrl-C / SIGTERM); the fault stays active */
  cancel?: AbortSignal;
  /** overrides the injector's revert deadline (tests; a caller with a budget of its own) */
  deadlineMs?: number;
}

export type RevertResult = { faultId: string; target: string; outcome: RevertOutcome | 'failed'; error?: string; note?: string };

const secs = (ms: number) => Math.round(ms / 1000);
const holderText = (h: ClaimHolder | undefined) => (h ? `${h.reason === 'deadline' ? 'the deadline keeper' : `gameday ${h.reason}`} (pid ${h.pid} on ${h.host})` : 'another process');
const waitingText = (w: InFlightCall | undefined, now: number) => (w ? `; it was waiting for ${w.what} for ${secs(now - w.since)} s` : '');
const signalName = (reason: unknown) => (reason instanceof Error ? reason.message : String(reason ?? 'interrupt'));

/** The fault's status in the journal as it is stored now (other processes may have written to it). */
function journaledStatus(journal: JournalAppender, faultId: string): FaultStatus | undefined {
  const { events } = journal.readStored();
  return foldDrill(journal.drillId, events).faults.get(faultId)?.status;
}

/** Resolves with `work`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

const settleWithin = (work: Promise<unknown>, ms: number) => Promise.race([work.then(() => undefined, () => undefined), new Promise<void>((r) => setTimeout(r, ms).unref())]);

export async function revertFault(record: FaultRecord, reason: RevertReason, deps: RevertDeps): Promise<RevertResult> {
  const injector = findInjector(record.kind);
  const base = { faultId: record.faultId, target: record.target };
  if (!injector) {
    const error = `no injector for kind ${record.kind} in this version of gameday`;
    deps.journal.append({ type: 'fault-revert-failed', faultId: record.faultId, error });
    return { ...base, outcome: 'failed', error };
  }
  const drillId = deps.journal.drillId;
  const deadlineMs = deps.deadlineMs ?? injector.revertDeadlineMs ?? DEFAULT_REVERT_DEADLINE_MS;
  const progress = (m: string) => deps.host.emit({ type: 'progress', message: `${record.target}: ${m}` });

  // the deadline and Ctrl-C end the revert the same way: abort, with a reason worth journaling
  const stop = new AbortController();
  let probe: () => InFlightCall | undefined = () => undefined;
  let why = '';
  const end = (error: GamedayError, text: string) => {
    if (stop.signal.aborted) return;
    why = text + waitingText(probe(), Date.now());
    stop.abort(error);
  };
  const timer = setTimeout(
    () => end(new GamedayError('REVERT_FAILED', `revert did not finish within ${secs(deadlineMs)} s`), `revert failed: did not finish within its deadline of ${secs(deadlineMs)} s`),
    deadlineMs,
  );
  const onCancel = () => {
    const sig = signalName(deps.cancel?.reason);
    end(new GamedayError('INTERRUPTED', `interrupted by ${sig}`), `interrupted by ${sig} before the revert finished`);
  };
  if (deps.cancel?.aborted) onCancel();
  deps.cancel?.addEventListener('abort', onCancel, { once: true });
  const notice = setInterval(() => {
    const w = probe();
    if (w) progress(`still reverting: waiting for ${w.what} (${secs(Date.now() - w.since)} s)`);
  }, WAITING_NOTICE_MS);
  notice.unref();

  try {
    const { claim, waitedFor } = await deps.journal.claims.claim(drillId, record.faultId, reason, {
      signal: stop.signal,
      onWait: (h) => progress(`${holderText(h)} is ${h.reason === 'inject' ? 'injecting' : 'reverting'} it; waiting for its outcome`),
    });
    if (!claim) {
      // still in another process's hands: nothing of ours to journal, the holder will
      return { ...base, outcome: 'failed', error: `${why || 'stopped'}: still being reverted by ${holderText(waitedFor)}` };
    }
    try {
      // under the claim, the journal has the last word: someone may have reverted it meanwhile
      if (journaledStatus(deps.journal, record.faultId) === 'reverted') {
        const note = `already reverted by ${holderText(waitedFor)}`;
        // journaled too: a live drill learns it from its own journal writer and stops trying
        deps.journal.append({ type: 'fault-reverted', faultId: record.faultId, outcome: 'already-reverted', detail: { note } });
        return { ...base, outcome: 'already-reverted', note };
      }
      return await revertClaimed(record, reason, deps, stop.signal, (p) => (probe = p), () => why);
    } finally {
      claim.release();
    }
  } finally {
    clearTimeout(timer);
    clearInterval(notice);
    deps.cancel?.removeEventListener('abort', onCancel);
  }
}

/** The revert itself, under the fault's claim, every call bounded by `signal`. */
async function revertClaimed(record: FaultRecord, reason: RevertReason, deps: RevertDeps, signal: AbortSignal, setProbe: (p: () => InFlightCall | undefined) => void, why: () => string): Promise<RevertResult> {
  const injector = findInjector(record.kind)!;
  const base = { faultId: record.faultId, target: record.target };
  const ctx = makeInjectorContext(deps.env, deps.ports, signal, (m) => deps.host.emit({ type: 'progress', message: `${record.target}: ${m}` }));
  const ref = { faultId: record.faultId, drillId: deps.journal.drillId, deadline: record.deadline, attached: false };
  deps.journal.append({ type: 'fault-revert-started', faultId: record.faultId, reason });
  const work = withCallScope(signal, () => {
    setProbe(scopeProbe());
    return injector.revert(ctx, record.undo, ref);
  });
  let outcome: RevertOutcome;
  try {
    const done = await untilAborted(work, signal);
    outcome = done.outcome;
    deps.journal.append({ type: 'fault-reverted', faultId: record.faultId, outcome: outcome === 'reverted' ? 'reverted' : 'already-reverted', detail: { ...done.detail, outcome } });
  } catch (e) {
    const error = signal.aborted ? why() : `revert failed: ${describeError(e)}`;
    deps.journal.append({ type: 'fault-revert-failed', faultId: record.faultId, error });
    await settleWithin(work, UNWIND_MS); // the cut calls unwind before another process may claim the fault
    return { ...base, outcome: 'failed', error };
  }
  try {
    const v = await untilAborted(
      withCallScope(signal, () => injector.verify(ctx, record.undo, 'reverted', ref)),
      signal,
    );
    deps.journal.append({ type: 'fault-verified', faultId: record.faultId, phase: 'reverted', ok: v.ok, detail: v.detail });
  } catch (e) {
    const detail = signal.aborted ? `verify not finished: ${why()}` : `verify failed: ${describeError(e)}`;
    deps.journal.append({ type: 'fault-verified', faultId: record.faultId, phase: 'reverted', ok: false, detail });
  }
  return { ...base, outcome };
}

/**
 * Journals faults this process meant to revert but did not get to (Ctrl-C in halt): they stay
 * active in the fold, and `gameday status` shows why and how to retry.
 */
export function journalUnfinished(journal: JournalAppender, records: FaultRecord[], why: string): RevertResult[] {
  return records.map((r) => {
    const error = `not reverted: ${why} before its turn`;
    journal.append({ type: 'fault-revert-failed', faultId: r.faultId, error });
    return { faultId: r.faultId, target: r.target, outcome: 'failed', error };
  });
}

/** Reverts several faults, newest first (undo in reverse order of doing). Stops starting new ones once `cancel` aborts. */
export async function revertAll(records: FaultRecord[], reason: RevertReason, deps: RevertDeps): Promise<RevertResult[]> {
  const results: RevertResult[] = [];
  const todo = [...records].reverse();
  for (let i = 0; i < todo.length; i++) {
    if (deps.cancel?.aborted) {
      results.push(...journalUnfinished(deps.journal, todo.slice(i), `interrupted by ${signalName(deps.cancel.reason)}`));
      break;
    }
    results.push(await revertFault(todo[i]!, reason, deps));
  }
  return results;
}

