/**
 * k8s.pod-kill's journaled undo and its replacement trackers at scale (issue 15), on an in-memory
 * pod store that lists and watches like the KubePort (the real API server is in
 * test/integration/k8s-pod-kill*.test.ts): the undo stays O(1) per target, old undos (peers and
 * known) still observe, and the trackers' shared, memoised view of the new pods agrees with the
 * pure function.
 */
import { describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../../../../src/core/random.js';
import { newPods } from '../../../../src/injectors/k8s-pod-kill/choose.js';
import { k8sPodKill, trackedUndo } from '../../../../src/injectors/k8s-pod-kill/index.js';
import { joinPodWatch } from '../../../../src/injectors/k8s-pod-kill/pod-watch.js';
import { claimTracker, newPodsOf, ReplacementTracker, trackerKey } from '../../../../src/injectors/k8s-pod-kill/tracker.js';
import type { FaultRef } from '../../../../src/injectors/contract.js';
import type { KubePort, PodDeleteResult, PodEventType, PodInfo, PodListing } from '../../../../src/ports/kube.js';
import { contextWith } from '../../../helpers/contract-suite.js';

const NS = 'shop';
const owner = (n: number) => ({ kind: 'ReplicaSet', name: `web-${n}`, uid: `rs-${n}` });
const pod = (name: string, extra: Partial<PodInfo> = {}): PodInfo => ({
  namespace: NS,
  name,
  uid: `uid-${name}`,
  phase: 'Running',
  labels: { app: 'web', 'pod-template-hash': '1' },
  nodeName: 'node-1',
  createdAt: 1_000,
  owner: owner(1),
  scheduledAt: 1_000,
  readyAt: 1_000,
  ...extra,
});

/**
 * Pods held in memory and served as the KubePort serves them: a list, and a watch that delivers
 * every pod as ADDED, says it is synced, then delivers each change. `deletePod` removes the pod,
 * and `onDelete` plays the controller.
 */
class PodStore {
  readonly pods = new Map<string, PodInfo>();
  private readonly watchers = new Set<(type: PodEventType, p: PodInfo) => void>();
  onDelete: (p: PodInfo) => void = () => {};
  watches = 0;
  constructor(pods: PodInfo[]) {
    for (const p of pods) this.pods.set(p.name, p);
  }
  /** watches that have delivered their initial list and now follow changes */
  get following(): number {
    return this.watchers.size;
  }
  /** bumped by every change, as a resourceVersion */
  version = 0;
  /** watches started from a list of ours (watchPods `from`) rather than listing themselves */
  watchesFrom = 0;
  set(p: PodInfo): void {
    this.version++;
    const type = this.pods.has(p.name) ? 'MODIFIED' : 'ADDED';
    this.pods.set(p.name, p);
    for (const w of [...this.watchers]) w(type, p);
  }
  remove(name: string): void {
    const p = this.pods.get(name);
    if (!p) return;
    this.version++;
    this.pods.delete(name);
    for (const w of [...this.watchers]) w('DELETED', p);
  }
  readonly port = {
    namespaceLabels: async () => ({ 'gameday.dev/enabled': 'true' }),
    listPods: async () => [...this.pods.values()],
    listPodsVersioned: async () => ({ pods: [...this.pods.values()], resourceVersion: String(this.version) }),
    watchPods: async (_ns: string, _sel: string | undefined, onEvent: (type: PodEventType, p: PodInfo) => void, signal: AbortSignal, onSynced?: () => void, from?: PodListing) => {
      this.watches++;
      // from a list of ours: no history is kept here, so only a list of the current version will do
      if (from && from.resourceVersion !== String(this.version)) throw new Error(`watch from version ${from.resourceVersion}: gone (now ${this.version})`);
      if (from) this.watchesFrom++;
      if (!from) await Promise.resolve();
      for (const p of from?.pods ?? this.pods.values()) onEvent('ADDED', p);
      onSynced?.();
      this.watchers.add(onEvent);
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      this.watchers.delete(onEvent);
    },
    deletePod: async (_ns: string, name: string): Promise<PodDeleteResult> => {
      const p = this.pods.get(name);
      if (!p) return { outcome: 'not-found' };
      const at = Date.now();
      this.remove(name);
      this.onDelete(p);
      return { outcome: 'deleted', sentAt: at, acknowledgedAt: at };
    },
  } as unknown as KubePort;
}

const ownersPods = (owners: number, each: number, createdAt = 1_000): PodInfo[] =>
  Array.from({ length: owners * each }, (_, i) => pod(`web-${(i % owners) + 1}-${String(i).padStart(5, '0')}`, { owner: owner((i % owners) + 1), createdAt }));

const ref = (faultId: string): FaultRef => ({ faultId, drillId: 'unit-undo', attached: true });
const params = (p: Record<string, unknown>) => k8sPodKill.paramsSchema.parse(p);
const spec = { namespace: NS, selector: 'app=web' };

async function undosOf(store: PodStore, n: number, seed = 15) {
  const ctx = contextWith({ kube: store.port });
  const sel = await k8sPodKill.select(ctx, spec, params({ count: n }), seededRandom(seed));
  const undos = await Promise.all(sel.targets.map((t) => k8sPodKill.prepare(ctx, t, params({ count: n }), ref(`f1-${t.id}`))));
  return { sel, undos };
}

describe('the journaled undo', () => {
  it('is O(1) per target: a 500-pod kill journals a few hundred bytes per pod, as a 10-pod kill does', async () => {
    const big = await undosOf(new PodStore(ownersPods(1, 1_000)), 500);
    const small = await undosOf(new PodStore(ownersPods(1, 1_000)), 10);
    const size = (u: unknown) => JSON.stringify(u).length;
    const total = big.undos.reduce((n, u) => n + size(u), 0);
    console.log(`500 undos: ${total} bytes of JSON (${Math.round(total / 500)} per target)`);
    // the old shape (every chosen and every listed name of the owner, per target) made this ~15 MB
    expect(total).toBeLessThan(300 * 500);
    // no undo grows with the size of the kill (beyond the digits of its rank)
    expect(Math.max(...big.undos.map(size))).toBeLessThanOrEqual(Math.max(...small.undos.map(size)) + 3);
    for (const u of big.undos) expect(Object.keys(u).sort()).toEqual(['chosenAt', 'namespace', 'node', 'observeForMs', 'owner', 'pod', 'rank', 'selector', 'uid', 'workload']);
  });

  it("rank is the pod's index among its owner's chosen pods sorted by name, as it was derived from peers", async () => {
    const { sel, undos } = await undosOf(new PodStore(ownersPods(3, 200)), 300);
    const peers = new Map<string, string[]>();
    for (const t of sel.targets) {
      const uid = t.data.owner!.uid;
      peers.set(uid, [...(peers.get(uid) ?? []), t.id]);
    }
    expect(peers.size).toBe(3);
    for (const u of undos) expect(u.rank).toBe([...peers.get(u.owner!.uid)!].sort().indexOf(u.pod));
    for (const names of peers.values()) expect(new Set(undos.filter((u) => names.includes(u.pod)).map((u) => u.rank)).size).toBe(names.length);
    // in memory, the owner's exact names: one Set per owner, the same object for all its targets (the trackers' memo key)
    const knownOf = (uid: string) => new Set(sel.targets.filter((t) => t.data.owner!.uid === uid).map((t) => t.data.known));
    for (const uid of peers.keys()) expect(knownOf(uid).size).toBe(1);
    expect([...knownOf('rs-1')][0]!.size).toBe(200);
  });

  it("chosenAt is the selection's time; an ownerless pod has rank 0; the exact names are not journaled", async () => {
    const store = new PodStore([pod('bare', { owner: undefined })]);
    const ctx = { ...contextWith({ kube: store.port }), now: () => 1_234_567 };
    const sel = await k8sPodKill.select(ctx, spec, params({}), seededRandom(1));
    const undo = await k8sPodKill.prepare(ctx, sel.targets[0]!, params({}), ref('f1-bare'));
    expect(undo).toMatchObject({ pod: 'bare', rank: 0, chosenAt: 1_234_567 });
    expect(undo).not.toHaveProperty('known');
  });
});

type Undo = Awaited<ReturnType<typeof k8sPodKill.prepare>>;

describe('observe from a journaled undo (another process: no tracker of its own)', () => {
  // the owner had a..e; b and d were killed at T+600 (d still terminating); x0 and x1 replaced
  // them; e was born in the second of the choice, before it
  const T = Date.parse('2026-12-02T14:00:10.000Z');
  const deletedAtMs = T + 600;
  let clock = T + 5_000;
  const world = () =>
    new PodStore([
      pod('a', { createdAt: T - 60_000 }),
      pod('c', { createdAt: T - 60_000 }),
      pod('d', { createdAt: T, deletingAt: deletedAtMs }),
      pod('e', { createdAt: T }),
      pod('x0', { createdAt: T + 1_000, scheduledAt: T + 1_200, readyAt: T + 1_800 }),
      pod('x1', { createdAt: T + 1_000, scheduledAt: T + 1_300, readyAt: undefined }),
    ]);
  const base = (p: string) => ({ namespace: NS, pod: p, uid: `uid-${p}`, selector: 'app=web', owner: owner(1), workload: 'Deployment web', gracePeriod: 0, observeForMs: 60_000 });
  /** as journaled before issue 15 */
  const oldUndo = (p: string) => ({ ...base(p), peers: ['d', 'b'], known: ['a', 'b', 'c', 'd', 'e'] });

  /** observe as the runner calls it, the undo read back from JSON, with no tracker started by inject in this process */
  const observe = async (store: PodStore, undo: object, faultId: string, during?: () => void) => {
    const ctx = { ...contextWith({ kube: store.port }), now: () => clock };
    const reports: Record<string, unknown>[] = [];
    const done = k8sPodKill.observe!(ctx, JSON.parse(JSON.stringify(undo)) as Undo, { deletedAtMs }, async (d) => void reports.push(d), ref(faultId));
    if (during) {
      // once the watch has listed and follows changes (bounded: a loaded machine may take a while)
      for (const until = Date.now() + 10_000; store.following === 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 5));
      expect(store.following).toBeGreaterThan(0);
      during();
    }
    await done;
    return reports;
  };

  it('an old undo is still read: rank from peers, the exact known names; a new one: rank, and chosenAt to the second', () => {
    const old = trackedUndo(oldUndo('d'), deletedAtMs);
    expect(old.rank).toBe(1);
    expect('names' in old.existing && [...old.existing.names]).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(trackedUndo({ ...base('d'), rank: 1, chosenAt: T + 300 }, deletedAtMs)).toMatchObject({ rank: 1, existing: { bornSince: T } });
  });

  it('an old undo observes its replacement: one already Ready when listed, one that becomes Ready while watched', async () => {
    const store = world();
    // e was born in the choice's second: only the exact names (known) tell it is no replacement
    expect(await observe(store, oldUndo('b'), 'old-b')).toEqual([
      { pod: `${NS}/b`, owner: 'Deployment web', replacement: `${NS}/x0`, node: 'node-1', deletedAt: new Date(deletedAtMs).toISOString(), createdAfterMs: 400, scheduledAfterMs: 600, readyAfterMs: 1_200, readyAt: new Date(T + 1_800).toISOString(), precision: 'api-1s' },
    ]);
    const [d] = await observe(store, oldUndo('d'), 'old-d', () => {
      clock = T + 6_000;
      store.set({ ...store.pods.get('x1')!, readyAt: T + 5_900 });
    });
    expect(d).toMatchObject({ pod: `${NS}/d`, replacement: `${NS}/x1`, scheduledAfterMs: 700, readyAfterMs: 5_400 });
    expect(d!.timedOut).toBeUndefined();
  });

  it('a new undo observes from chosenAt: pods born from its second on and not terminating are new (e is the documented 1 s ambiguity)', async () => {
    const inSecond = { ...base('b'), rank: 0, chosenAt: T + 300 };
    expect(await observe(world(), inSecond, 'new-b')).toEqual([expect.objectContaining({ replacement: `${NS}/e` })]);
    expect(await observe(world(), { ...inSecond, rank: 1 }, 'new-d')).toEqual([expect.objectContaining({ replacement: `${NS}/x0` })]);
    // chosen in the next second, e is no longer new; d (born in it too) is terminating, never new
    const nextSecond = { ...base('b'), rank: 0, chosenAt: T + 1_300 };
    expect(await observe(world(), nextSecond, 'new-b2')).toEqual([expect.objectContaining({ replacement: `${NS}/x0`, readyAfterMs: 1_200 })]);
  });
  it('two journaled undos on one watch keep distinct replacements while the listed ones turn Ready (a change is no arrival)', async () => {
    // x0 and x1 were listed, born in the same second and not yet Ready: they pair by name. A change
    // to a listed pod used to count as its arrival on the live stream and move it behind the other,
    // so rank 1 took x0 when it turned Ready, and rank 0 took x0 again once x1 did
    const store = new PodStore([pod('a', { createdAt: T - 60_000 }), pod('x0', { createdAt: T + 1_000, readyAt: undefined }), pod('x1', { createdAt: T + 1_000, readyAt: undefined })]);
    const ctx = { ...contextWith({ kube: store.port }), now: () => clock };
    const reports: Record<string, unknown>[] = [];
    const undos = [{ ...base('b'), rank: 0, chosenAt: T + 300 }, { ...base('d'), rank: 1, chosenAt: T + 300 }];
    const done = Promise.all(undos.map((u, i) => k8sPodKill.observe!(ctx, JSON.parse(JSON.stringify(u)) as Undo, { deletedAtMs }, async (d) => void reports.push(d), ref(`pair-${i}`))));
    for (const until = Date.now() + 10_000; store.following === 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 5));
    expect(store.following).toBe(1);
    store.set({ ...store.pods.get('x0')!, readyAt: T + 2_000 });
    // one tracker answers before x1 changes too (bounded: a loaded machine may take a while)
    for (const until = Date.now() + 10_000; reports.length === 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 5));
    expect(reports).toHaveLength(1);
    store.set({ ...store.pods.get('x1')!, readyAt: T + 2_500 });
    await done;
    expect(new Map(reports.map((r) => [r.pod, r.replacement]))).toEqual(new Map([[`${NS}/b`, `${NS}/x0`], [`${NS}/d`, `${NS}/x1`]]));
  });
});

describe('the trackers share one view of the new pods per watch change', () => {
  it('newPodsOf agrees with newPods for every rank after every event, and is computed once per change', async () => {
    const store = new PodStore(ownersPods(2, 20));
    const known = new Set([...store.pods.values()].filter((p) => p.owner!.uid === 'rs-1').map((p) => p.name));
    const existing = { names: known };
    const { watch, leave } = joinPodWatch(store.port, NS, 'app=web', Date.now, () => {});
    await watch.synced;
    const check = () => {
      const memo = newPodsOf(watch, 'rs-1', existing);
      expect(newPodsOf(watch, 'rs-1', existing)).toBe(memo); // no change, no new list
      for (let rank = 0; rank < 12; rank++) expect(memo[rank]).toBe(newPods(watch.pods.values(), 'rs-1', existing, (p) => watch.appeared.get(p.name))[rank]);
      return memo;
    };
    let last = check();
    const victims = [...known].slice(0, 10);
    for (const [i, v] of victims.entries()) {
      store.remove(v);
      // replacements born in the same second, arriving out of name order
      store.set(pod(`web-1-new-${9 - i}`, { createdAt: 5_000, readyAt: undefined }));
      const now = check();
      expect(now).not.toBe(last);
      last = now;
    }
    expect(last.map((p) => p.name)).toEqual(victims.map((_, i) => `web-1-new-${9 - i}`));
    expect(newPodsOf(watch, 'rs-2', existing)).toEqual(newPods(watch.pods.values(), 'rs-2', existing));
    leave();
    await watch.done;
  });

  it('a kill of 500 pods: one watch, 500 distinct replacements, all seen live; a tracker resumes only when its answer may have changed', async () => {
    const N = 500;
    const store = new PodStore(ownersPods(1, N));
    let born = 0;
    // the controller: a replacement per delete, Scheduled then Ready a moment later
    store.onDelete = (p) => {
      const r = pod(`web-1-r${String(born++).padStart(5, '0')}`, { createdAt: Date.now(), scheduledAt: undefined, readyAt: undefined, owner: p.owner });
      store.set(r);
      setTimeout(() => store.set({ ...r, scheduledAt: Date.now() }), 1);
      setTimeout(() => store.set({ ...r, scheduledAt: Date.now(), readyAt: Date.now() }), 2);
    };
    const ctx = contextWith({ kube: store.port }, { guards: { ...contextWith({}).env.guards, maxTargets: N, maxPercent: 100 } });
    const p = params({ mode: 'all', gracePeriod: 0 });
    const sel = await k8sPodKill.select(ctx, spec, p, seededRandom(3));
    const prepared = await Promise.all(sel.targets.map(async (t) => ({ t, undo: await k8sPodKill.prepare(ctx, t, p, ref(`big-${t.id}`)) })));
    const injected = await Promise.all(prepared.map(({ t, undo }) => k8sPodKill.inject(ctx, t, p, undo, ref(`big-${t.id}`))));
    const reports: Record<string, unknown>[] = [];
    const looks = vi.spyOn(ReplacementTracker.prototype, 'current');
    try {
      await Promise.all(prepared.map(({ t, undo }, i) => k8sPodKill.observe!(ctx, undo, injected[i], async (d) => void reports.push(d), ref(`big-${t.id}`))));
      // ~3 events per kill reach all 500 trackers; each looks again only when its own replacement
      // moved or had an event (3 looks each here), where waking them all made it ~750 each
      expect(looks.mock.calls.length).toBeLessThan(10 * N);
    } finally {
      looks.mockRestore();
    }
    expect(store.watches).toBe(1);
    expect(store.watchesFrom).toBe(1); // from the selection's list: the kill waited for no list
    expect(reports).toHaveLength(N);
    for (const r of reports) expect(r).toMatchObject({ precision: 'watch', replacement: expect.stringContaining(`${NS}/web-1-r`) });
    expect(new Set(reports.map((r) => r.replacement)).size).toBe(N);
  });

  it("the watch starts from the selection's list while it is recent (a minute); later it lists for itself", async () => {
    for (const [later, fromList] of [[1_000, 1], [61_000, 0]] as const) {
      const store = new PodStore(ownersPods(1, 3));
      let clock = Date.parse('2026-12-04T20:00:00Z');
      const ctx = { ...contextWith({ kube: store.port }), now: () => clock };
      const p = params({ mode: 'one', gracePeriod: 0 });
      const [t] = (await k8sPodKill.select(ctx, spec, p, seededRandom(1))).targets;
      const undo = await k8sPodKill.prepare(ctx, t!, p, ref(`fresh-${later}`));
      clock += later;
      await k8sPodKill.inject(ctx, t!, p, undo, ref(`fresh-${later}`));
      expect([store.watches, store.watchesFrom]).toEqual([1, fromList]);
      claimTracker(trackerKey('unit-undo', `fresh-${later}`))!.stop(); // nobody observes: stop the tracker now
    }
  });

  it('waiting trackers move with their rank: a replacement that goes away hands its place on', async () => {
    const store = new PodStore(ownersPods(1, 3));
    const ctx = contextWith({ kube: store.port }, { guards: { ...contextWith({}).env.guards, maxPercent: 100 } });
    const p = params({ mode: 'all', gracePeriod: 0 });
    const sel = await k8sPodKill.select(ctx, spec, p, seededRandom(5));
    const prepared = await Promise.all(sel.targets.map(async (t) => ({ t, undo: await k8sPodKill.prepare(ctx, t, p, ref(`move-${t.id}`)) })));
    const injected = await Promise.all(prepared.map(({ t, undo }) => k8sPodKill.inject(ctx, t, p, undo, ref(`move-${t.id}`))));
    const byPod = new Map<string, unknown>();
    const observed = Promise.all(prepared.map(({ t, undo }, i) => k8sPodKill.observe!(ctx, undo, injected[i], async (d) => void byPod.set(String(d.pod), d.replacement), ref(`move-${t.id}`))));
    const tick = () => new Promise((r) => setImmediate(r));
    const r = (n: number) => pod(`web-1-r${n}`, { createdAt: 5_000, scheduledAt: undefined, readyAt: undefined });
    for (const n of [0, 1, 2]) store.set(r(n));
    await tick();
    // r0 is gone before it was Ready (evicted), r3 comes: ranks 0, 1, 2 now mean r1, r2, r3
    store.remove('web-1-r0');
    store.set(r(3));
    await tick();
    for (const n of [3, 2, 1]) store.set({ ...r(n), scheduledAt: 6_000, readyAt: 6_000 });
    await observed;
    const rankOf = new Map(prepared.map(({ undo }) => [`${NS}/${undo.pod}`, undo.rank]));
    expect([...byPod].sort(([a], [b]) => rankOf.get(a)! - rankOf.get(b)!).map(([, rep]) => rep)).toEqual([1, 2, 3].map((n) => `${NS}/web-1-r${n}`));
  });
});
