/**
 * One reverter per fault, across processes: before reverting a fault, a process takes an exclusive
 * claim on it, a file <stateDir>/claims/<drillId>/<faultId>.claim created atomically (written
 * aside, then hard-linked into place) and holding the owner's pid, host, reason and time. `halt`,
 * `recover`, the deadline keeper and a live drill all go through it, so they never revert the same
 * fault at once; the one that finds the fault claimed waits for the outcome (bounded by its own
 * deadline) and then reads it from the journal. `inject` holds it from intent to outcome, so a
 * revert never runs while the mutation is still in flight.
 *
 * Crash-safe: a claim whose owner is dead (same host, pid gone) is stale and taken over. Taking
 * over renames the stale file away and checks it really was the stale one (another process may
 * have taken it over and claimed it a moment before); a live claim moved by mistake is put back.
 * A claim held on another host (a state directory on a shared disk) cannot be checked: it is
 * waited for, and reported with its host, never broken.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { pause } from '../core/clock.js';
import { GamedayError } from '../core/errors.js';
import { createWithContent, isStale, parseOwner, readRaw, releaseIfMine, takeOverStale, withContent } from './exclusive-file.js';

import type { ClaimAttempt, ClaimHolder, FaultClaimPort, HeldClaim } from '../ports/journal.js';

export type { ClaimAttempt, ClaimHolder, HeldClaim } from '../ports/journal.js';

const SAFE = /^[A-Za-z0-9._-]{1,120}$/;

export class FaultClaims implements FaultClaimPort {
  constructor(readonly dir: string) {}

  /** The claims of the state directory a journal lives in (<stateDir>/drills/<id>.jsonl). */
  static besideJournal(journalFile: string): FaultClaims {
    return new FaultClaims(join(dirname(dirname(journalFile)), 'claims'));
  }

  fileOf(drillId: string, faultId: string): string {
    if (!SAFE.test(drillId) || !SAFE.test(faultId)) throw new GamedayError('INTERNAL', `not a claimable fault: ${drillId}/${faultId}`);
    return join(this.dir, drillId, `${faultId}.claim`);
  }

  /** The live holder of a fault's claim, if any (stale claims are not holders). */
  holder(drillId: string, faultId: string): ClaimHolder | undefined {
    const h = readHolder(this.fileOf(drillId, faultId));
    return h && !isStale(h) ? h : undefined;
  }

  /** Takes the claim now, or says who holds it. Never waits. */
  tryClaim(drillId: string, faultId: string, reason: string): ClaimAttempt {
    const file = this.fileOf(drillId, faultId);
    mkdirSync(dirname(file), { recursive: true });
    const me: ClaimHolder = { pid: process.pid, host: hostname(), reason, at: new Date().toISOString() };
    const text = JSON.stringify(me);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createWithContent(file, text)) return { ok: true, claim: { release: () => releaseIfMine(file, text) } };
      const raw = readRaw(file);
      if (raw === undefined) continue; // released meanwhile: try again
      const held = parseOwner<ClaimHolder>(raw);
      if (held && !isStale(held)) return { ok: false, holder: held };
      takeOverStale(file, raw);
    }
    const held = readHolder(file);
    if (held) return { ok: false, holder: held };
    throw new GamedayError('INTERNAL', `could not claim fault ${faultId} of drill ${drillId} (${file} keeps changing)`);
  }

  /**
   * tryClaim for many faults of one drill: their claims hold the same text, so it is written once
   * and hard-linked into place under each name (one link each, where tryClaim writes, links and
   * removes a file of its own: at 100 targets ≈ 20 ms before the first call, issue 15). A name
   * already taken goes through tryClaim (its holder, or a stale claim taken over).
   */
  tryClaimAll(drillId: string, faultIds: readonly string[], reason: string): ClaimAttempt[] {
    const files = faultIds.map((f) => this.fileOf(drillId, f));
    if (files.length === 0) return [];
    mkdirSync(dirname(files[0]!), { recursive: true });
    const text = JSON.stringify({ pid: process.pid, host: hostname(), reason, at: new Date().toISOString() } satisfies ClaimHolder);
    return withContent(files[0]!, text, (link) => files.map((file, i) => (link(file) ? { ok: true, claim: { release: () => releaseIfMine(file, text) } } : this.tryClaim(drillId, faultIds[i]!, reason))));
  }

  /**
   * Takes the claim, waiting while another live process holds it. Returns no claim when `signal`
   * aborts first (the caller's deadline or Ctrl-C), with the holder it waited for; `onWait` hears
   * about the holder once.
   */
  claim(drillId: string, faultId: string, reason: string, opts: ClaimWaitOptions): Promise<{ claim?: HeldClaim; waitedFor?: ClaimHolder }> {
    return waitForClaim(this, drillId, faultId, reason, opts);
  }
}

export interface ClaimWaitOptions {
  signal: AbortSignal;
  onWait?: (holder: ClaimHolder) => void;
  pollMs?: number;
}

/** The waiting loop of `claim`, for every claim store (the state directory's, the cluster's). */
export async function waitForClaim(claims: Pick<FaultClaimPort, 'tryClaim'>, drillId: string, faultId: string, reason: string, opts: ClaimWaitOptions): Promise<{ claim?: HeldClaim; waitedFor?: ClaimHolder }> {
  let waitedFor: ClaimHolder | undefined;
  while (!opts.signal.aborted) {
    const a = claims.tryClaim(drillId, faultId, reason);
    if (a.ok) return { claim: a.claim, waitedFor };
    if (!waitedFor) opts.onWait?.(a.holder);
    waitedFor = a.holder;
    await pause(opts.pollMs ?? 100, opts.signal);
  }
  return { waitedFor };
}

const readHolder = (file: string): ClaimHolder | undefined => parseOwner<ClaimHolder>(readRaw(file));

