/**
 * Reverting one fault from its journaled record, in this process or any other after a crash.
 * The journal says what happens before it happens: revert-started → revert → reverted (or
 * revert-failed) → verify. Reverts are never cancelled by Ctrl-C: they are what Ctrl-C asks for.
 */
import type { Environment } from '../core/environment.js';
import { describeError } from '../core/errors.js';
import type { FaultRecord, RevertReason } from '../core/events.js';
import type { Host } from '../core/host.js';
import type { RevertOutcome } from '../injectors/contract.js';
import { findInjector } from '../injectors/registry.js';
import type { PortSet } from '../ports/index.js';
import type { JournalWriter } from '../adapters/journal-store.js';
import { makeInjectorContext } from './context.js';

export interface RevertDeps {
  journal: JournalWriter;
  ports: Partial<PortSet>;
  env: Environment;
  host: Host;
}

export type RevertResult = { faultId: string; target: string; outcome: RevertOutcome | 'failed'; error?: string };

export async function revertFault(record: FaultRecord, reason: RevertReason, deps: RevertDeps): Promise<RevertResult> {
  const injector = findInjector(record.kind);
  const base = { faultId: record.faultId, target: record.target };
  if (!injector) {
    const error = `no injector for kind ${record.kind} in this version of gameday`;
    deps.journal.append({ type: 'fault-revert-failed', faultId: record.faultId, error });
    return { ...base, outcome: 'failed', error };
  }
  // a fresh, never-aborted signal: a revert must finish even when the user pressed Ctrl-C
  const ctx = makeInjectorContext(deps.env, deps.ports, new AbortController().signal, (m) => deps.host.emit({ type: 'progress', message: `${record.target}: ${m}` }));
  const ref = { faultId: record.faultId, drillId: deps.journal.drillId, deadline: record.deadline, attached: false };
  deps.journal.append({ type: 'fault-revert-started', faultId: record.faultId, reason });
  try {
    const { outcome, detail } = await injector.revert(ctx, record.undo, ref);
    deps.journal.append({ type: 'fault-reverted', faultId: record.faultId, outcome: outcome === 'reverted' ? 'reverted' : 'already-reverted', detail: { ...detail, outcome } });
    try {
      const v = await injector.verify(ctx, record.undo, 'reverted', ref);
      deps.journal.append({ type: 'fault-verified', faultId: record.faultId, phase: 'reverted', ok: v.ok, detail: v.detail });
    } catch (e) {
      deps.journal.append({ type: 'fault-verified', faultId: record.faultId, phase: 'reverted', ok: false, detail: `verify failed: ${describeError(e)}` });
    }
    return { ...base, outcome };
  } catch (e) {
    const error = describeError(e);
    deps.journal.append({ type: 'fault-revert-failed', faultId: record.faultId, error });
    return { ...base, outcome: 'failed', error };
  }
}

/** Reverts several faults, newest first (undo in reverse order of doing). */
export async function revertAll(records: FaultRecord[], reason: RevertReason, deps: RevertDeps): Promise<RevertResult[]> {
  const results: RevertResult[] = [];
  for (const r of [...records].reverse()) results.push(await revertFault(r, reason, deps));
  return results;
}
