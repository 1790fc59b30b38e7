/**
 * Which drills left faults nobody will revert: the rule of `gameday recover --orphans`, the
 * keeper that `gameday schedule export` runs every minute inside the cluster, so no fault outlives
 * its drill's pod (SIGKILLed, evicted, its node lost). Pure: the caller reads the journals, the
 * clock and the environment's Lease.
 */
import { revertableFaults, type DrillState } from './drill-state.js';
import type { DrillMode } from './events.js';

/** The environment's Lease as the keeper reads it: who holds it, until when (renewTime + duration). */
export interface LeaseView {
  holder?: string;
  expiresAt: number;
}

export type Orphan =
  /** a reversible fault is past its deadline and still active: whatever owned it did not revert it */
  | { reason: 'deadline'; why: string }
  /** the drill's process stopped renewing the environment's Lease: nobody is left to revert its faults */
  | { reason: 'owner-gone'; why: string };

/**
 * Drills that hold the environment's Lease while they live (`gameday run`, facilitated or
 * unattended). An ad-hoc inject does not: a detached inject leaves its fault to its deadline on
 * purpose, so only the deadline rule applies to it.
 */
const LEASED_MODES: readonly DrillMode[] = ['facilitated', 'unattended'];

/** What the caller could find out about the drill's owner. */
export interface OwnerEvidence {
  /** the environment's Lease: 'none' when there is none, 'unknown' when it cannot be read or the environment has no cluster */
  lease: LeaseView | 'none' | 'unknown';
  /** whether the drill's process is alive, when it ran on this machine (undefined: another machine, or no pid) */
  processAlive?: boolean;
}

/**
 * Whether this drill's faults must be reverted now by someone other than the drill, and why.
 * A drill that ran on this machine is judged by its process; one that ran elsewhere (a CronJob's
 * pod, a colleague's laptop) by the environment's Lease, when it can be read — otherwise only the
 * deadline and the drill's own end can tell. `leaseMs` is how long a Lease nobody renews lasts: a
 * drill younger than that may not have taken it yet, so it is not judged by it.
 */
export function orphanOf(state: DrillState, now: number, owner: OwnerEvidence, leaseMs: number): Orphan | undefined {
  const pending = revertableFaults(state);
  if (pending.length === 0) return undefined;
  const overdue = pending.filter((f) => f.record.deadline !== undefined && f.record.deadline <= now);
  if (overdue.length) return { reason: 'deadline', why: `${overdue.length} fault(s) past their deadline (${new Date(Math.min(...overdue.map((f) => f.record.deadline!))).toISOString()}) and still active` };
  if (state.endedAt !== undefined) return { reason: 'owner-gone', why: `the drill ended (${state.endReason ?? '?'}) with ${pending.length} fault(s) still active` };
  if (!state.mode || !LEASED_MODES.includes(state.mode)) return undefined;
  if (owner.processAlive === true) return undefined;
  if (owner.processAlive === false) return { reason: 'owner-gone', why: `its process (pid ${state.pid ?? '?'} on ${state.host ?? '?'}) is gone` };
  const { lease } = owner;
  if (lease === 'unknown') return undefined;
  const started = state.startedAt ? Date.parse(state.startedAt) : NaN;
  if (!Number.isFinite(started) || now - started < leaseMs) return undefined;
  if (lease === 'none') return { reason: 'owner-gone', why: 'the environment\'s Lease is gone: the drill\'s process no longer holds it' };
  if (lease.holder !== state.drillId) return { reason: 'owner-gone', why: `the environment's Lease is held by ${lease.holder ?? 'nobody'}, not by this drill` };
  if (lease.expiresAt <= now) return { reason: 'owner-gone', why: `the drill stopped renewing the environment's Lease (expired ${Math.round((now - lease.expiresAt) / 1000)} s ago)` };
  return undefined;
}
