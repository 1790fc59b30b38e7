/**
 * `gameday recover --orphans`: reverts the faults no living drill will revert — past their
 * deadline, or left by a drill whose process stopped renewing the environment's Lease (a pod
 * SIGKILLed, evicted, its node lost) or that ended with faults still active. The rule is
 * core/orphans.ts; this reads the journals and Leases and reverts through recover.ts. Live
 * drills are never touched: their faults are theirs until their deadline.
 */
import { hostname } from 'node:os';
import { pidAlive } from '../adapters/env-lock.js';
import type { LeaseReader } from '../ports/cluster-lock.js';
import { orphanOf, type LeaseView, type Orphan } from '../core/orphans.js';
import { describeError } from '../core/errors.js';
import { own } from '../core/text.js';
import { recoverDrill, type DrillRecovery, type RecoverDeps } from './recover.js';

export interface OrphanDeps extends RecoverDeps {
  readLease: LeaseReader;
  now: () => number;
  /** how long a Lease nobody renews lasts (adapters/kube/cluster-lease.ts) */
  leaseMs: number;
}

export interface OrphanRecovery extends DrillRecovery {
  orphan: Orphan;
}

export async function recoverOrphans(envName: string | undefined, deps: OrphanDeps): Promise<OrphanRecovery[]> {
  const leases = new Map<string, Promise<LeaseView | 'none' | 'unknown'>>();
  const leaseOf = (name: string) => {
    if (!leases.has(name)) leases.set(name, readLeaseOf(name, deps));
    return leases.get(name)!;
  };
  const out: OrphanRecovery[] = [];
  // one journal that cannot be read or reverted never stops the others: the keeper runs unattended
  for (const id of deps.store.list()) {
    let orphan: Orphan | undefined;
    try {
      const { state } = deps.store.fold(id);
      if (!state.env || (envName && state.env !== envName)) continue;
      const here = state.host === hostname() && state.pid !== undefined;
      orphan = orphanOf(state, deps.now(), { lease: await leaseOf(state.env), ...(here ? { processAlive: pidAlive(state.pid!) } : {}) }, deps.leaseMs);
      if (!orphan) continue;
      deps.host.emit({ type: 'progress', message: `${id}: ${orphan.why}: reverting` });
      out.push({ ...(await recoverDrill(id, orphan.reason === 'deadline' ? 'deadline' : 'recover', deps)), orphan });
    } catch (e) {
      out.push({ drillId: id, results: [], unreadable: [], error: `could not recover: ${describeError(e)}`, orphan: orphan ?? { reason: 'owner-gone', why: 'its journal could not be read' } });
    }
  }
  return out;
}

/** A Lease that cannot be read is 'unknown', said once: the keeper then judges by deadlines alone. */
async function readLeaseOf(envName: string, deps: OrphanDeps): Promise<LeaseView | 'none' | 'unknown'> {
  const env = own(deps.config.environments, envName);
  // no cluster, no Lease: the drill's process (on this machine) or its deadline must tell
  if (!env?.kube) return 'unknown';
  try {
    return (await deps.readLease(env)) ?? 'none';
  } catch (e) {
    deps.host.emit({ type: 'warning', message: `${describeError(e)}; judging ${envName}'s drills by their deadlines only` });
    return 'unknown';
  }
}
