/**
 * Journal-driven recovery: `gameday halt` and `gameday recover` rebuild the undo list from the
 * journals alone, after any crash, and revert it. Reverting is idempotent, so running either
 * twice, or while the drill's own process also reverts, is safe.
 */
import { hostname } from 'node:os';
import type { LoadedConfig } from '../adapters/config-store.js';
import type { JournalStore, JournalWriter } from '../adapters/journal-store.js';
import { pidAlive } from '../adapters/env-lock.js';
import { revertableFaults, type DrillState } from '../core/drill-state.js';
import { GamedayError, describeError } from '../core/errors.js';
import type { EndReason, RevertReason } from '../core/events.js';
import type { Host } from '../core/host.js';
import { findInjector } from '../injectors/registry.js';
import type { PortName, PortSet } from '../ports/index.js';
import type { Environment } from '../core/environment.js';
import { journalUnfinished, revertAll, type RevertResult } from './revert.js';

export interface RecoverDeps {
  store: JournalStore;
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
}

/** Reverts what may still be active in one drill, and closes it when nothing is left. */
export async function recoverDrill(drillId: string, reason: RevertReason, deps: RecoverDeps): Promise<DrillRecovery> {
  const { state, problems } = deps.store.fold(drillId);
  for (const p of problems) deps.host.emit({ type: 'warning', message: `${p.file}:${p.line}: ${p.message}` });
  const pending = revertableFaults(state);
  const out: DrillRecovery = { drillId, env: state.env, results: [] };
  if (pending.length === 0) {
    closeIfOpen(drillId, state, reason, deps);
    return out;
  }
  const env = state.env ? deps.config.environments[state.env] : undefined;
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
  closeIfOpen(drillId, deps.store.fold(drillId).state, reason, deps);
  return out;
}

function withJournal<T>(deps: RecoverDeps, drillId: string, fn: (j: JournalWriter) => T): T {
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
    j.append({ type: 'drill-ended', reason: reason === 'halt' ? 'halted' : 'aborted', detail: `closed by ${reason}` });
  } finally {
    j.close();
  }
}

/** Drills that may still hold active faults (optionally only one environment's). */
export function drillsNeedingRevert(store: JournalStore, env?: string): string[] {
  return store.list().filter((id) => {
    const { state } = store.fold(id);
    return (!env || state.env === env) && revertableFaults(state).length > 0;
  });
}

export async function haltAll(env: string | undefined, deps: RecoverDeps): Promise<DrillRecovery[]> {
  const out: DrillRecovery[] = [];
  for (const id of deps.store.list()) {
    const { state } = deps.store.fold(id);
    if (env && state.env !== env) continue;
    if (revertableFaults(state).length === 0 && state.endedAt !== undefined) continue;
    out.push(await recoverDrill(id, 'halt', deps));
  }
  return out;
}

/** One line per fault (or drill) that is still active after a halt or recover: what stopped it. */
export function unfinished(results: DrillRecovery[]): string[] {
  return results.flatMap((r) => (r.error ? [`${r.drillId}: ${r.error}`] : r.results.filter((x) => x.outcome === 'failed').map((x) => `${r.drillId} ${x.faultId} (${x.target}): ${x.error}`)));
}

/**
 * Throws unless everything was reverted: INTERRUPTED (exit 130) after Ctrl-C / SIGTERM, else
 * REVERT_FAILED; either way with the list of what is still active and how to retry.
 */
export function assertRecovered(results: DrillRecovery[], interrupted?: AbortSignal, retry = 'gameday halt'): void {
  const left = unfinished(results);
  if (!left.length) return;
  const hint = `run \`${retry}\` again to retry (reverting is idempotent; \`gameday status\` lists what is active)`;
  if (interrupted?.aborted) throw new GamedayError('INTERRUPTED', `interrupted: ${left.length} fault(s) not reverted, still active:\n  ${left.join('\n  ')}`, { hint });
  throw new GamedayError('REVERT_FAILED', `could not revert everything; ${left.length} fault(s) still active:\n  ${left.join('\n  ')}`, { hint });
}

/**
 * A live drill ending itself after `gameday halt`: halt closes the journals of the drills it
 * reverts (closeIfOpen), so append `drill-ended` only if no process has — one end per journal.
 */
export function endUnlessClosed(store: JournalStore, journal: JournalWriter, reason: EndReason, detail?: string): void {
  if (store.read(journal.drillId).events.some((e) => e.type === 'drill-ended')) return;
  journal.append({ type: 'drill-ended', reason, ...(detail !== undefined ? { detail } : {}) });
}
