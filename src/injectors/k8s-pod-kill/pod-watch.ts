/**
 * One WATCH per (KubePort, namespace, selector), shared by every replacement tracker that needs it.
 * A kill of N pods used to open N watches (N lists and N watch requests through the same token
 * bucket as the deletes, before the first delete could go); now the first tracker opens the watch,
 * the others join it, and it closes when the last one leaves. It starts from the selection's own
 * list when given one (watchPods `from`), so the kill waits for no list of its own.
 *
 * The watch keeps what every tracker needs: the pods as they are now, the order they arrived on
 * the live stream (etcd's creation order), and when each was first seen Scheduled and Ready —
 * stamped with this process's clock when seen live, or with the API server's condition time when
 * it was already so in the initial list (the tracker clamps that to its own kill time).
 */
import type { KubePort, PodEventType, PodInfo, PodListing } from '../../ports/kube.js';

/** When a transition was first seen: `at` our clock; `api` the server's time if it predates the watch. */
export interface Stamp {
  at: number;
  api?: number;
}

export interface PodSeen {
  /** first seen on the live stream (not in the initial list) */
  live: boolean;
  scheduled?: Stamp;
  ready?: Stamp;
}

export class SharedPodWatch {
  readonly pods = new Map<string, PodInfo>();
  readonly seen = new Map<string, PodSeen>();
  /** arrival rank on the live stream, per pod name */
  readonly appeared = new Map<string, number>();
  readonly synced: Promise<void>;
  readonly done: Promise<void>;
  failure: unknown;
  private arrivals = 0;
  private changes = 0;
  private isSynced = false;
  private users = 0;
  /** called with the name of the pod an event was about, or with none when the watch ends */
  private readonly listeners = new Set<(pod?: string) => void>();
  private readonly abort = new AbortController();

  constructor(
    kube: KubePort,
    namespace: string,
    selector: string,
    private readonly now: () => number,
    private readonly onClose: () => void,
    from?: PodListing,
  ) {
    let resolveSynced!: () => void;
    this.synced = new Promise((r) => (resolveSynced = r));
    const synced = (): void => {
      this.isSynced = true;
      resolveSynced();
    };
    this.done = kube
      .watchPods(namespace, selector, (type, p) => this.onEvent(type, p), this.abort.signal, synced, from)
      .catch((e: unknown) => {
        // kept for the trackers: a watch that cannot run is an error to report, not a silent timeout
        if (!this.abort.signal.aborted) this.failure = e;
      })
      .finally(() => {
        this.abort.abort();
        this.onClose();
        resolveSynced();
        this.notify();
      });
  }

  /** bumped by every event: what trackers derive from the pods holds for one version (tracker.ts newPodsOf) */
  get version(): number {
    return this.changes;
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  /** one more user; the returned function leaves (the watch closes when nobody is left) */
  join(onChange: (pod?: string) => void): () => void {
    this.users++;
    this.listeners.add(onChange);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.listeners.delete(onChange);
      if (--this.users === 0) this.close();
    };
  }

  close(): void {
    this.abort.abort();
    this.onClose();
    this.notify();
  }

  private onEvent(type: PodEventType, p: PodInfo): void {
    const live = this.isSynced;
    this.changes++;
    const first = !this.seen.has(p.name);
    // an arrival is a pod first seen on the live stream; a change to a listed pod is none (ranking
    // it then moved it behind its listed siblings, and two trackers could take the same pod)
    if (live && first) this.appeared.set(p.name, this.arrivals++);
    if (type === 'DELETED') this.pods.delete(p.name);
    else this.pods.set(p.name, p);
    const now = this.now();
    const s = this.seen.get(p.name) ?? { live };
    this.seen.set(p.name, s);
    // already so when first listed: only the API server knows when (1 s resolution)
    const stamp = (api: number): Stamp => (first && !live ? { at: now, api } : { at: now });
    if (p.scheduledAt !== undefined && s.scheduled === undefined) s.scheduled = stamp(p.scheduledAt);
    if (p.readyAt !== undefined && s.ready === undefined) s.ready = stamp(p.readyAt);
    this.notify(p.name);
  }

  private notify(pod?: string): void {
    for (const l of [...this.listeners]) l(pod);
  }
}

/** Open watches by port, then by namespace + selector. WeakMap: a port's watches go with it. */
const open = new WeakMap<KubePort, Map<string, SharedPodWatch>>();

/**
 * Joins the open watch of this namespace and selector on this port, opening it if there is none:
 * from `from` (the selection's own list, watchPods) when given, so the kill waits for no list.
 */
export function joinPodWatch(kube: KubePort, namespace: string, selector: string, now: () => number, onChange: (pod?: string) => void, from?: PodListing): { watch: SharedPodWatch; leave: () => void } {
  let byKey = open.get(kube);
  if (!byKey) open.set(kube, (byKey = new Map()));
  const key = `${namespace}\n${selector}`;
  let watch = byKey.get(key);
  if (!watch || watch.closed) {
    const w: SharedPodWatch = new SharedPodWatch(
      kube,
      namespace,
      selector,
      now,
      () => {
        if (byKey.get(key) === w) byKey.delete(key);
      },
      from,
    );
    byKey.set(key, w);
    watch = w;
  }
  return { watch, leave: watch.join(onChange) };
}
