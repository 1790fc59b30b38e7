/**
 * One reverter per fault, across machines: the cluster twin of src/adapters/fault-claim.ts, for
 * drills whose journal lives in the cluster. A claim is a ConfigMap `gd-claim-<hash of drill and
 * fault>` in the toolkit namespace, created atomically by the API server (a second create is 409
 * AlreadyExists) and holding the owner's pid, host, reason and time. Release deletes it only if it
 * is still ours (uid precondition).
 *
 * Same staleness rule as the file claims: a holder on this host whose pid is gone is stale and its
 * claim taken over (deleted under a uid + resourceVersion precondition, so a fresh claim made
 * meanwhile is never removed). A holder on another host cannot be checked: it is waited for,
 * bounded by the waiter's own revert deadline, and reported with its host — never broken.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { DRILL_LABEL } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import type { ClaimAttempt, ClaimHolder, FaultClaimPort, HeldClaim } from '../../ports/journal.js';
import { isStale, parseOwner } from '../exclusive-file.js';
import { waitForClaim, type ClaimWaitOptions } from '../fault-claim.js';
import { MANAGED, RECORD_LABEL, type ConfigMap, type ConfigMaps } from './config-maps.js';

/** Fault ids may hold capitals and `_`; object names may not: the name is a hash, the labels say whose. */
export const claimName = (drillId: string, faultId: string): string => `gd-claim-${createHash('sha256').update(`${drillId}/${faultId}`).digest('hex').slice(0, 32)}`;

export class ClusterClaims implements FaultClaimPort {
  constructor(private readonly maps: ConfigMaps) {}

  holder(drillId: string, faultId: string): ClaimHolder | undefined {
    const h = holderOf(this.maps.get(claimName(drillId, faultId)));
    return h && !isStale(h) ? h : undefined;
  }

  tryClaim(drillId: string, faultId: string, reason: string): ClaimAttempt {
    const name = claimName(drillId, faultId);
    const me: ClaimHolder = { pid: process.pid, host: hostname(), reason, at: new Date().toISOString() };
    const body: ConfigMap = { metadata: { name, labels: { ...MANAGED, [RECORD_LABEL]: 'claim', [DRILL_LABEL]: drillId }, annotations: { 'gameday.dev/fault': faultId } }, data: { holder: JSON.stringify(me) } };
    for (let attempt = 0; attempt < 5; attempt++) {
      if (this.maps.create(body) === 'created') return { ok: true, claim: this.releaser(name) };
      const held = this.maps.get(name);
      if (!held) continue; // released meanwhile: try again
      const owner = holderOf(held);
      if (owner && !isStale(owner)) return { ok: false, holder: owner };
      this.maps.deleteIfUnchanged(name, held.metadata.uid, held.metadata.resourceVersion); // stale: take it over
    }
    const owner = holderOf(this.maps.get(name));
    if (owner) return { ok: false, holder: owner };
    throw new GamedayError('INTERNAL', `could not claim fault ${faultId} of drill ${drillId} (${this.maps.describe(name)} keeps changing)`);
  }

  /** One create per fault: the API server has no atomic create of several objects. */
  tryClaimAll(drillId: string, faultIds: readonly string[], reason: string): ClaimAttempt[] {
    return faultIds.map((f) => this.tryClaim(drillId, f, reason));
  }

  claim(drillId: string, faultId: string, reason: string, opts: ClaimWaitOptions): Promise<{ claim?: HeldClaim; waitedFor?: ClaimHolder }> {
    return waitForClaim(this, drillId, faultId, reason, opts);
  }

  /** Release: delete the claim if it is still the one this process created. */
  private releaser(name: string): HeldClaim {
    const mine = this.maps.get(name);
    const uid = mine?.metadata.uid;
    return {
      release: () => {
        try {
          this.maps.deleteIfUnchanged(name, uid, undefined);
        } catch {
          // unreachable now: the claim stays, naming this pid and host; once this process is gone,
          // a process on this host takes it over; one elsewhere waits for it (see the header)
        }
      },
    };
  }
}

function holderOf(cm: ConfigMap | undefined): ClaimHolder | undefined {
  const raw = cm?.data?.holder;
  return parseOwner<ClaimHolder>(typeof raw === 'string' ? raw : undefined);
}
