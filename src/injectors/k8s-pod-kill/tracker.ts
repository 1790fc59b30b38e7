/**
 * Watches one owner's pods around a pod kill and times its replacement: created, Scheduled, Ready.
 * `inject` starts the tracker *before* the delete, so every transition is seen live and stamped with
 * this process's clock (ms); `observe` claims it and waits for the answer. The trackers of one
 * namespace + selector share one watch (pod-watch.ts): a kill of N pods lists and watches once.
 * A tracker nobody claims stops by itself, and the watch closes with its last tracker (nothing
 * outlives its purpose and holds the process open).
 * If observe runs without a tracker (another process), a fresh watch falls back to the API
 * server's condition times (1 s resolution) for transitions that happened before it started.
 */
import type { KubePort, PodInfo } from '../../ports/kube.js';
import { replacementFor } from './choose.js';
import { joinPodWatch, type SharedPodWatch, type Stamp } from './pod-watch.js';

export interface TrackedPod {
  namespace: string;
  pod: string;
  selector: string;
  owner: { uid: string };
  known: string[];
  peers: string[];
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

  constructor(
    kube: KubePort,
    private readonly t: TrackedPod,
    now: () => number,
    opts: { stopAfterMs: number },
  ) {
    this.deletedAt = now();
    // one watch per namespace + selector serves every tracker of the kill (pod-watch.ts)
    const joined = joinPodWatch(kube, t.namespace, t.selector, now, () => this.wake());
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

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** the replacement so far (maybe not Ready yet) */
  current(): Recovery | undefined {
    const w = this.watch;
    const r = replacementFor(w.pods.values(), this.t.owner.uid, this.t.known, this.t.peers, this.t.pod, (p) => w.appeared.get(p.name));
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
    for (;;) {
      const c = this.current();
      if (c?.readyAt !== undefined) return c;
      if (this.watch.failure !== undefined) throw this.watch.failure;
      if (this.abort.signal.aborted || signal.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const w = (): void => {
          this.waiters.delete(w);
          signal.removeEventListener('abort', w);
          resolve();
        };
        this.waiters.add(w);
        signal.addEventListener('abort', w, { once: true });
        if (this.abort.signal.aborted) w();
      });
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
