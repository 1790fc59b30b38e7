/**
 * Watches one owner's pods around a pod kill and times its replacement: created, Scheduled, Ready.
 * `inject` starts the watch *before* the delete, so every transition is seen live and stamped with
 * this process's clock (ms); `observe` claims it and waits for the answer. A tracker nobody claims
 * stops by itself (no watch outlives its purpose and holds the process open).
 * If observe runs without a tracker (another process), a fresh watch falls back to the API
 * server's condition times (1 s resolution) for transitions that happened before it started.
 */
import type { KubePort, PodInfo } from '../../ports/kube.js';
import { replacementFor } from './choose.js';

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
  private readonly pods = new Map<string, PodInfo>();
  private readonly seen = new Map<string, { scheduled?: number; ready?: number; live: boolean }>();
  private readonly abort = new AbortController();
  private readonly waiters = new Set<() => void>();
  private syncedFlag = false;
  private failure: unknown;
  private readonly appeared = new Map<string, number>();
  private arrivals = 0;
  get failed(): boolean {
    return this.failure !== undefined;
  }
  readonly synced: Promise<void>;
  readonly done: Promise<void>;
  /** when the kill happened (set by inject; epoch ms) */
  deletedAt: number;

  private timer: NodeJS.Timeout | undefined;

  constructor(
    kube: KubePort,
    private readonly t: TrackedPod,
    private readonly now: () => number,
    opts: { stopAfterMs: number },
  ) {
    this.deletedAt = now();
    let resolveSynced!: () => void;
    this.synced = new Promise((r) => (resolveSynced = r));
    this.stopAfter(opts.stopAfterMs);
    this.done = kube
      .watchPods(
        t.namespace,
        t.selector,
        (type, p) => this.onEvent(type, p, this.syncedFlag),
        this.abort.signal,
        () => {
          this.syncedFlag = true;
          resolveSynced();
        },
      )
      .catch((e: unknown) => {
        // kept for ready(): a watch that cannot run is an error to report, not a silent timeout
        if (!this.abort.signal.aborted) this.failure = e;
      })
      .finally(() => {
        if (this.timer) clearTimeout(this.timer);
        resolveSynced();
        this.wake();
      });
  }

  /** (re)arms the stop timer */
  stopAfter(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.stop(), Math.max(0, ms));
    this.timer.unref?.();
  }

  private onEvent(type: string, p: PodInfo, live: boolean): void {
    if (p.owner?.uid !== this.t.owner.uid) return;
    // the order pods arrive on the live watch is their creation order (etcd's), to the event
    if (live && !this.appeared.has(p.name)) this.appeared.set(p.name, this.arrivals++);
    if (type === 'DELETED') this.pods.delete(p.name);
    else this.pods.set(p.name, p);
    const now = this.now();
    const first = !this.seen.has(p.name);
    const s = this.seen.get(p.name) ?? { live };
    this.seen.set(p.name, s);
    // seen live: our clock; already so when first listed: the API server's time, kept in [deletedAt, now]
    const at = (cond: number): number => (first && !live ? Math.min(now, Math.max(this.deletedAt, cond)) : now);
    if (p.scheduledAt !== undefined && s.scheduled === undefined) s.scheduled = at(p.scheduledAt);
    if (p.readyAt !== undefined && s.ready === undefined) s.ready = at(p.readyAt);
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** the replacement so far (maybe not Ready yet) */
  current(): Recovery | undefined {
    const r = replacementFor(this.pods.values(), this.t.owner.uid, this.t.known, this.t.peers, this.t.pod, (p) => this.appeared.get(p.name));
    if (!r) return undefined;
    const s = this.seen.get(r.name);
    return {
      replacement: r,
      createdAt: r.createdAt,
      ...(s?.scheduled !== undefined ? { scheduledAt: s.scheduled } : {}),
      ...(s?.ready !== undefined ? { readyAt: s.ready } : {}),
      precision: s?.live ? 'watch' : 'api-1s',
    };
  }

  /** Resolves with the Ready replacement, or undefined when the tracker stops first; rejects when the watch cannot run. */
  async ready(signal: AbortSignal): Promise<Recovery | undefined> {
    for (;;) {
      const c = this.current();
      if (c?.readyAt !== undefined) return c;
      if (this.failure !== undefined) throw this.failure;
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
