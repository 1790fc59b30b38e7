/**
 * Watches one owner's pods around a pod kill and times its replacement: created, Scheduled, Ready.
 * `inject` starts the tracker *before* the delete, so every transition is seen live and stamped with
 * this process's clock (ms); `observe` claims it and waits for the answer. The trackers of one
 * namespace + selector share one watch (pod-watch.ts): a kill of N pods lists and watches once.
 * A tracker nobody claims stops by itself, and the watch closes with its last tracker (nothing
 * outlives its purpose and holds the process open).
 * If observe runs without a tracker (another process), a fresh watch falls back to the API
 * server's condition times (1 s resolution) for transitions that happened before it started, and
 * to the undo's `chosenAt` for which pods are new (choose.ts `Existing`).
 *
 * Every event of the watch reaches every tracker of the kill. Each looks its replacement up in the
 * owner's new pods, sorted once per change of the watch (newPodsOf) rather than once per tracker,
 * and a waiting tracker resumes only when that answer may have changed: one event costs one sort
 * and N lookups for N trackers, not N sorts (O(N² log N)) and N resumptions.
 */
import type { KubePort, PodInfo, PodListing } from '../../ports/kube.js';
import { newPods, type Existing } from './choose.js';
import { joinPodWatch, type SharedPodWatch, type Stamp } from './pod-watch.js';

export interface TrackedPod {
  namespace: string;
  pod: string;
  selector: string;
  owner: { uid: string };
  /** its rank among the pods chosen from the owner (choose.ts rankAmong): the index of its replacement among the new pods */
  rank: number;
  /** which of the owner's pods existed before the kill */
  existing: Existing;
  /** the selection's list, when recent: the watch starts from it instead of listing again */
  from?: PodListing;
}

interface Memo {
  version: number;
  pods: PodInfo[];
}
/** Per watch, per owner, per `Existing` (its Set by identity — one per owner and selection — or its instant). */
const memos = new WeakMap<SharedPodWatch, Map<string, Map<ReadonlySet<string> | number, Memo>>>();

/** The owner's new pods in replacement order (choose.ts newPods) as the watch has them now, computed once per change of the watch. */
export function newPodsOf(w: SharedPodWatch, ownerUid: string, existing: Existing): readonly PodInfo[] {
  let byOwner = memos.get(w);
  if (!byOwner) memos.set(w, (byOwner = new Map()));
  let byExisting = byOwner.get(ownerUid);
  if (!byExisting) byOwner.set(ownerUid, (byExisting = new Map()));
  const key = 'names' in existing ? existing.names : existing.bornSince;
  const memo = byExisting.get(key);
  if (memo?.version === w.version) return memo.pods;
  const pods = newPods(w.pods.values(), ownerUid, existing, (p) => w.appeared.get(p.name));
  byExisting.set(key, { version: w.version, pods });
  return pods;
}

export interface Recovery {
  replacement: PodInfo;
  createdAt: number;
  scheduledAt?: number;
  readyAt?: number;
  /** 'watch': seen live (ms); 'api-1s': from the API server's condition times */
  precision: 'watch' | 'api-1s';
}

export class ReplacementTracker {
  private readonly abort = new AbortController();
  private readonly waiters = new Set<() => void>();
  private readonly watch: SharedPodWatch;
  private readonly leave: () => void;
  get failed(): boolean {
    return this.watch.failure !== undefined;
  }
  /** the shared watch has delivered its initial list: every later change will be seen */
  readonly synced: Promise<void>;
  /** resolves once this tracker stopped (its share of the watch given back) */
  readonly done: Promise<void>;
  /** when the kill happened (set by inject; epoch ms) */
  deletedAt: number;

  private timer: NodeJS.Timeout | undefined;
  /** the replacement the last current() answered with */
  private last: PodInfo | undefined;

  constructor(
    kube: KubePort,
    private readonly t: TrackedPod,
    now: () => number,
    opts: { stopAfterMs: number },
  ) {
    this.deletedAt = now();
    // one watch per namespace + selector serves every tracker of the kill (pod-watch.ts)
    const joined = joinPodWatch(kube, t.namespace, t.selector, now, (pod) => this.changed(pod), t.from);
    this.watch = joined.watch;
    this.leave = joined.leave;
    this.synced = this.watch.synced;
    this.done = new Promise<void>((resolve) => {
      const finish = (): void => {
        if (this.timer) clearTimeout(this.timer);
        this.leave();
        this.wake();
        resolve();
      };
      this.abort.signal.addEventListener('abort', finish, { once: true });
      // a watch that ends by itself (it failed) ends the tracker too
      void this.watch.done.then(() => this.abort.abort());
    });
    this.stopAfter(opts.stopAfterMs);
  }

  /** (re)arms the stop timer */
  stopAfter(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.stop(), Math.max(0, ms));
    this.timer.unref?.();
  }

  /**
   * After an event about `pod` (none: the watch ended): wakes a waiting ready() only when its
   * answer may have changed — its replacement had an event, or another pod now holds its rank.
   * Events about anything else (the other kills, their replacements) wake nobody: resuming every
   * tracker on every event was most of a large kill's CPU.
   */
  private changed(pod?: string): void {
    if (this.waiters.size === 0) return;
    if (pod === undefined || pod === this.last?.name || this.replacement() !== this.last) this.wake();
  }

  private replacement(): PodInfo | undefined {
    return newPodsOf(this.watch, this.t.owner.uid, this.t.existing)[this.t.rank];
  }

  private wake(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** the replacement so far (maybe not Ready yet) */
  current(): Recovery | undefined {
    const w = this.watch;
    const r = (this.last = this.replacement());
    if (!r) return undefined;
    const s = w.seen.get(r.name);
    // seen live: our clock; already so when first listed: the API server's time, kept in [deletedAt, seen]
    const at = (st: Stamp | undefined): number | undefined => (st === undefined ? undefined : st.api === undefined ? st.at : Math.min(st.at, Math.max(this.deletedAt, st.api)));
    const scheduledAt = at(s?.scheduled);
    const readyAt = at(s?.ready);
    return {
      replacement: r,
      createdAt: r.createdAt,
      ...(scheduledAt !== undefined ? { scheduledAt } : {}),
      ...(readyAt !== undefined ? { readyAt } : {}),
      precision: s?.live ? 'watch' : 'api-1s',
    };
  }

  /** Resolves with the Ready replacement, or undefined when the tracker stops first; rejects when the watch cannot run. */
  async ready(signal: AbortSignal): Promise<Recovery | undefined> {
    // `signal` is shared by every tracker of the kill: a listener added to it per wake-up cost O(N)
    // each (an EventTarget scans its listeners for a duplicate), and Node warns past 10 of them.
    // One signal of our own for the whole wait (AbortSignal.any adds no listener to its sources)
    const stopped = AbortSignal.any([signal, this.abort.signal]);
    const onStop = (): void => this.wake();
    stopped.addEventListener('abort', onStop, { once: true });
    try {
      for (;;) {
        const c = this.current();
        if (c?.readyAt !== undefined) return c;
        if (this.watch.failure !== undefined) throw this.watch.failure;
        if (stopped.aborted) return undefined;
        await new Promise<void>((resolve) => this.waiters.add(resolve));
      }
    } finally {
      stopped.removeEventListener('abort', onStop);
    }
  }

  stop(): void {
    this.abort.abort();
    this.wake();
  }
}

/** Trackers started by inject, waiting for observe to claim them (same process). */
const pending = new Map<string, ReplacementTracker>();

export const trackerKey = (drillId: string, faultId: string): string => `${drillId}/${faultId}`;

export function startTracker(kube: KubePort, key: string, t: TrackedPod, now: () => number, claimWithinMs = 15_000): ReplacementTracker {
  pending.get(key)?.stop();
  const tr = new ReplacementTracker(kube, t, now, { stopAfterMs: claimWithinMs });
  pending.set(key, tr);
  void tr.done.finally(() => {
    // a tracker whose watch failed stays to be claimed: observe then reports the failure instead
    // of quietly starting a fresh watch that can only see second-resolution times
    if (pending.get(key) === tr && !tr.failed) pending.delete(key);
  });
  return tr;
}

export function claimTracker(key: string): ReplacementTracker | undefined {
  const tr = pending.get(key);
  pending.delete(key);
  return tr;
}
