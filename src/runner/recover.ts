/**
 * Journal-driven recovery: `gameday halt` and `gameday recover` rebuild the undo list from the
 * journals alone, after any crash, and revert it. Reverting is idempotent, so running either
 * twice, or while the drill's own process also reverts, is safe.
 */
import { hostname } from 'node:os';
import type { LoadedConfig } from '../adapters/config-store.js';
import type { JournalAppender, JournalPort, JournalProblem } from '../ports/journal.js';
import { pidAlive } from '../adapters/env-lock.js';
import { revertableFaults, type DrillState } from '../core/drill-state.js';
import { GamedayError, describeError } from '../core/errors.js';
import { own } from '../core/text.js';
import type { RevertReason } from '../core/events.js';
import type { Host } from '../core/host.js';
import { findInjector } from '../injectors/registry.js';
import type { PortName, PortSet } from '../ports/index.js';
import type { Environment } from '../core/environment.js';
import { journalUnfinished, revertAll, type RevertResult } from './revert.js';

export interface RecoverDeps {
  store: JournalPort;
  config: LoadedConfig;
  host: Host;
  buildPorts: (env: Environment, needs: readonly PortName[]) => Promise<Partial<PortSet>>;
  /** Ctrl-C / SIGTERM: stop waiting, journal what is unfinished (see revert.ts) */
  cancel?: AbortSignal;
}

export interface DrillRecovery {
  drillId: string;
  env?: string;
  results: RevertResult[];
  /** why nothing could be done, when nothing could */
  error?: string;
  /** journal lines (or the whole file) that could not be read and may hide an active fault */
  unreadable?: JournalProblem[];
}

/** Reverts what may still be active in one drill, and closes it when nothing is left. */
export async function recoverDrill(drillId: string, reason: RevertReason, deps: RecoverDeps): Promise<DrillRecovery> {
  const { state, problems } = deps.store.fold(drillId);
  // lines that may hide a fault are reported once, with the outcome (assertRecovered); the rest here
  for (const p of problems) if (!p.mayHideFault) deps.host.emit({ type: 'warning', message: `${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}` });
  const pending = revertableFaults(state);
  const unreadable = problems.filter((p) => p.mayHideFault);
  const out: DrillRecovery = { drillId, env: state.env, results: [], unreadable };
  if (pending.length === 0) {
    // a drill with lines we could not read is not known to be clean: leave it open
    if (unreadable.length === 0) closeIfOpen(drillId, state, reason, deps);
    return out;
  }
  const env = state.env ? own(deps.config.environments, state.env) : undefined;
  if (!env) {
    out.error = `drill ${drillId} ran against environment "${state.env ?? '?'}", which is not defined now${deps.config.file ? ` in ${deps.config.file}` : ''}`;
    return out;
  }
  const needs = new Set<PortName>();
  for (const f of pending) for (const n of findInjector(f.record.kind)?.needs ?? []) needs.add(n);
  if (deps.cancel?.aborted) {
    // interrupted before this drill's turn: say so in its journal, touch nothing
    out.results = withJournal(deps, drillId, (j) => journalUnfinished(j, pending.map((f) => f.record).reverse(), `interrupted by ${describeError(deps.cancel?.reason)}`));
    return out;
  }
  let ports: Partial<PortSet>;
  try {
    ports = await deps.buildPorts(env, [...needs]);
  } catch (e) {
    out.error = `cannot reach environment "${env.name}": ${describeError(e)}`;
    return out;
  }
  const journal = deps.store.open(drillId);
  try {
    journal.onAppend((e) => deps.host.emit(e));
    out.results = await revertAll(pending.map((f) => f.record), reason, { journal, ports, env, host: deps.host, ...(deps.cancel ? { cancel: deps.cancel } : {}) });
  } finally {
    journal.close();
  }
  if (unreadable.length === 0) closeIfOpen(drillId, deps.store.fold(drillId).state, reason, deps);
  return out;
}

function withJournal<T>(deps: RecoverDeps, drillId: string, fn: (j: JournalAppender) => T): T {
  const j = deps.store.open(drillId);
  try {
    j.onAppend((e) => deps.host.emit(e));
    return fn(j);
  } finally {
    j.close();
  }
}

function closeIfOpen(drillId: string, state: DrillState, reason: RevertReason, deps: RecoverDeps): void {
  if (state.endedAt !== undefined || revertableFaults(state).length > 0) return;
  // a drill whose own process is still alive ends itself (unless this is a halt): only close orphans
  const ownerAlive = state.pid !== undefined && state.pid !== process.pid && state.host === hostname() && pidAlive(state.pid);
  if (ownerAlive && reason !== 'halt') return;
  const j = deps.store.open(drillId);
  try {
    // the drill may be ending itself right now (it saw the halt flag): one end, whoever is first
    j.appendEnd({ type: 'drill-ended', reason: reason === 'halt' ? 'halted' : 'aborted', detail: `closed by ${reason}` });
  } finally {
    j.close();
  }
}


/**
 * Reverts every drill that may hold active faults. One bad journal never stops the others: each
 * drill is recovered on its own, and whatever goes wrong with one is recorded on its result.
 * Drills whose journals have unreadable lines are included even when they look finished, since
 * the lost line may have been a fault's intent; so are stray files named like journals (first,
 * as one entry without a drill).
 */
export async function haltAll(env: string | undefined, deps: RecoverDeps): Promise<DrillRecovery[]> {
  const strays = deps.store.scan().problems;
  const out: DrillRecovery[] = strays.length ? [{ drillId: '(drills folder)', results: [], unreadable: strays }] : [];
  for (const id of deps.store.list()) {
    try {
      const { state, problems } = deps.store.fold(id);
      const unreadable = problems.some((p) => p.mayHideFault);
      // a drill whose start could not be read may belong to any environment
      if (env && state.env !== env && !(unreadable && state.env === undefined)) continue;
      if (revertableFaults(state).length === 0 && state.endedAt !== undefined && !unreadable) continue;
      out.push(await recoverDrill(id, 'halt', deps));
    } catch (e) {
      out.push({ drillId: id, results: [], unreadable: [], error: `could not recover: ${describeError(e)}` });
    }
  }
  return out;
}

/** One line per fault (or drill) that is still active after a halt or recover: what stopped it. */
export function unfinished(results: DrillRecovery[]): string[] {
  return results.flatMap((r) => (r.error ? [`${r.drillId}: ${r.error}`] : r.results.filter((x) => x.outcome === 'failed').map((x) => `${r.drillId} ${x.faultId} (${x.target}): ${x.error}`)));
}

/**
 * Throws unless everything was reverted and every journal line read: INTERRUPTED (exit 130) after
 * Ctrl-C / SIGTERM, else REVERT_FAILED; either way listing what is still active and how to retry,
 * and every journal line or file that could not be read (it may hold an active fault).
 */
export function assertRecovered(results: DrillRecovery[], interrupted?: AbortSignal, retry = 'gameday halt'): void {
  const left = unfinished(results);
  const unreadable = results.flatMap((r) => r.unreadable ?? []).map(whereUnreadable);
  if (left.length === 0 && unreadable.length === 0) return;
  const unread = unreadable.length ? [`could not read ${unreadable.length} journal line(s) or file(s), which may hold active faults:\n  ${unreadable.join('\n  ')}`] : [];
  const hint = left.length
    ? `run \`${retry}\` again to retry (reverting is idempotent; \`gameday status\` lists what is active)`
    : `run \`${retry}\` again once what could not be read can be (a cluster unreachable now); for a damaged journal line, check by hand that its fault is gone (each injector's README says how), then move that journal out of the drills folder`;
  if (interrupted?.aborted && left.length) throw new GamedayError('INTERRUPTED', [`interrupted: ${left.length} fault(s) not reverted, still active:\n  ${left.join('\n  ')}`, ...unread].join('\n'), { hint });
  const failed = left.length ? [`could not revert everything; ${left.length} fault(s) still active:\n  ${left.join('\n  ')}`] : [];
  throw new GamedayError('REVERT_FAILED', [...failed, ...unread].join('\n'), { hint });
}

const whereUnreadable = (p: JournalProblem): string => `${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}`;

