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
 * The replacement of a deleted pod: among the owner's pods that did not exist when the choice was
 * made, in the order they appeared, the one at the deleted pod's rank among the pods deleted from
 * the same owner. Two kills from one ReplicaSet thus get two distinct replacements.
 *
 * "The order they appeared" is `appearedAt` when the caller watched them arrive (a watch delivers
 * creations in etcd order): creationTimestamp has one-second resolution, and two replacements born
 * in the same second would otherwise be ordered by name — so one kill could claim a pod that a
 * later-named but earlier-born sibling's tracker had already claimed. Pods without `appearedAt`
 * (already there when the watch started) come first, by creation time, then name.
 */
export function replacementFor(pods: Iterable<PodInfo>, ownerUid: string, known: readonly string[], peers: readonly string[], pod: string, appearedAt: (p: PodInfo) => number | undefined = () => undefined): PodInfo | undefined {
  const before = new Set(known);
  const key = (p: PodInfo): [number, number, string] => {
    const seq = appearedAt(p);
    return seq === undefined ? [0, p.createdAt, p.name] : [1, seq, p.name];
  };
  const fresh = [...pods]
    .filter((p) => p.owner?.uid === ownerUid && !before.has(p.name))
    .map((p) => ({ p, k: key(p) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || (a.k[2] < b.k[2] ? -1 : a.k[2] > b.k[2] ? 1 : 0))
    .map((x) => x.p);
  const rank = Math.max(0, [...peers].sort().indexOf(pod));
  return fresh[rank];
}

/** "checkout" from ReplicaSet "checkout-7d4b9c" with pod-template-hash "7d4b9c". */
export function workloadName(owner: { kind: string; name: string } | undefined, labels: Record<string, string>): string | undefined {
  if (!owner) return undefined;
  const hash = labels['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) return `Deployment ${owner.name.slice(0, -hash.length - 1)}`;
  return `${owner.kind} ${owner.name}`;
}
