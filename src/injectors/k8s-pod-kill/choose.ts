/**
 * Pure parts of `k8s.pod-kill`: which pods are candidates, how many to take, the seeded choice,
 * and which new pod replaces which deleted one (for the recovery evidence).
 */
import type { PodInfo } from '../../ports/kube.js';

export type KillMode = { mode: 'one' } | { mode: 'count'; count: number } | { mode: 'percent'; percent: number } | { mode: 'all' };

export interface Filters {
  onlyRunning: boolean;
  minAgeMs?: number;
  now: number;
}

/** Candidates: not terminating, Running (unless told otherwise), old enough; sorted by name. */
export function filterCandidates(pods: PodInfo[], f: Filters): { candidates: PodInfo[]; excluded: { terminating: number; notRunning: number; tooYoung: number } } {
  const excluded = { terminating: 0, notRunning: 0, tooYoung: 0 };
  const candidates = pods
    .filter((p) => {
      if (p.deletingAt !== undefined) return void excluded.terminating++, false;
      if (f.onlyRunning && p.phase !== 'Running') return void excluded.notRunning++, false;
      if (f.minAgeMs !== undefined && f.now - p.createdAt < f.minAgeMs) return void excluded.tooYoung++, false;
      return true;
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { candidates, excluded };
}

/** How many of n candidates the mode takes (at least 1 when n > 0; percent rounds up). */
export function howMany(m: KillMode, n: number): number {
  if (n === 0) return 0;
  switch (m.mode) {
    case 'one':
      return 1;
    case 'all':
      return n;
    case 'count':
      return Math.min(m.count, n);
    case 'percent':
      return Math.max(1, Math.min(n, Math.ceil((m.percent / 100) * n - 1e-9)));
  }
}

/** Seeded choice of k items (Fisher–Yates on a copy; `random` in [0, 1)). Replayable from the seed. */
export function choose<T>(items: readonly T[], k: number, random: () => number): T[] {
  const a = [...items];
  const take = Math.min(k, a.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, take);
}

/**
 * Which of an owner's pods already existed when the choice was made (they are never replacements).
 * - `names`: exactly the owner's pods of the selection's list (same process: select → inject);
 *   one Set per owner, shared by every target of that owner.
 * - `bornSince`: what a journaled undo still tells in another process, in O(1): a pod created
 *   (creationTimestamp, 1 s resolution) at or after this instant — the start of the second of the
 *   selection's list — and not being deleted is new. The second is ambiguous both ways: a pod the
 *   owner created in that same second, just before the list, counts as new; and `chosenAt` is this
 *   process's clock, compared with the API server's, so a skew larger than the time between the
 *   choice and the delete could hide a replacement. Pods being deleted are left out so that killed
 *   pods born in that second never stand in for their own replacements.
 */
export type Existing = { names: ReadonlySet<string> } | { bornSince: number };

/** `bornSince` for a selection listed at `chosenAt` (epoch ms): the start of its second. */
export const bornSince = (chosenAt: number): Existing => ({ bornSince: Math.floor(chosenAt / 1000) * 1000 });

const isNew = (p: PodInfo, existing: Existing): boolean => ('names' in existing ? !existing.names.has(p.name) : p.createdAt >= existing.bornSince && p.deletingAt === undefined);

/**
 * An owner's new pods — those that did not exist when the choice was made — in the order they
 * appeared: the candidates for replacing its deleted pods, one per rank.
 *
 * "The order they appeared" is `appearedAt` when the caller watched them arrive (a watch delivers
 * creations in etcd order): creationTimestamp has one-second resolution, and two replacements born
 * in the same second would otherwise be ordered by name — so one kill could claim a pod that a
 * later-named but earlier-born sibling's tracker had already claimed. Pods without `appearedAt`
 * (already there when the watch started) come first, by creation time, then name.
 */
export function newPods(pods: Iterable<PodInfo>, ownerUid: string, existing: Existing, appearedAt: (p: PodInfo) => number | undefined = () => undefined): PodInfo[] {
  const keyed: { p: PodInfo; listed: number; t: number }[] = [];
  for (const p of pods) {
    if (p.owner?.uid !== ownerUid || !isNew(p, existing)) continue;
    const seq = appearedAt(p);
    keyed.push(seq === undefined ? { p, listed: 0, t: p.createdAt } : { p, listed: 1, t: seq });
  }
  // the input is mostly in this order already (a watch keeps pods in arrival order): a cheap sort
  return keyed.sort((a, b) => a.listed - b.listed || a.t - b.t || (a.p.name < b.p.name ? -1 : a.p.name > b.p.name ? 1 : 0)).map((x) => x.p);
}

/**
 * A pod's rank among the pods chosen from its owner, sorted by name (0 when it is not among them):
 * its replacement is the owner's new pod (newPods) at that index, so two kills from one ReplicaSet
 * get two distinct replacements.
 */
export function rankAmong(chosen: readonly string[], pod: string): number {
  return Math.max(0, [...chosen].sort().indexOf(pod));
}

/** "checkout" from ReplicaSet "checkout-7d4b9c" with pod-template-hash "7d4b9c". */
export function workloadName(owner: { kind: string; name: string } | undefined, labels: Record<string, string>): string | undefined {
  if (!owner) return undefined;
  const hash = labels['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) return `Deployment ${owner.name.slice(0, -hash.length - 1)}`;
  return `${owner.kind} ${owner.name}`;
}
