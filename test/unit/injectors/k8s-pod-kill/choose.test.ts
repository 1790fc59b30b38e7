import { describe, expect, it } from 'vitest';
import { bornSince, choose, filterCandidates, howMany, newPods, rankAmong, workloadName, type Existing } from '../../../../src/injectors/k8s-pod-kill/choose.js';
import { parseParams } from '../../../../src/cli/kv.js';
import { k8sPodKill } from '../../../../src/injectors/k8s-pod-kill/index.js';
import { seededRandom } from '../../../../src/core/random.js';
import type { PodInfo } from '../../../../src/ports/kube.js';

const rs = { kind: 'ReplicaSet', name: 'checkout-abc', uid: 'rs-1' };
const pod = (name: string, extra: Partial<PodInfo> = {}): PodInfo => ({
  namespace: 'shop',
  name,
  uid: `uid-${name}`,
  phase: 'Running',
  labels: { app: 'checkout', 'pod-template-hash': 'abc' },
  createdAt: 1_000,
  owner: rs,
  ...extra,
});

describe('filterCandidates', () => {
  it('drops terminating, non-Running and too-young pods, sorts by name, counts why', () => {
    const pods = [pod('c'), pod('a'), pod('t', { deletingAt: 5 }), pod('p', { phase: 'Pending' }), pod('y', { createdAt: 9_500 })];
    const r = filterCandidates(pods, { onlyRunning: true, minAgeMs: 1_000, now: 10_000 });
    expect(r.candidates.map((p) => p.name)).toEqual(['a', 'c']);
    expect(r.excluded).toEqual({ terminating: 1, notRunning: 1, tooYoung: 1 });
  });
  it('onlyRunning false keeps Pending pods; terminating pods never qualify', () => {
    const r = filterCandidates([pod('p', { phase: 'Pending' }), pod('t', { deletingAt: 1 })], { onlyRunning: false, now: 0 });
    expect(r.candidates.map((p) => p.name)).toEqual(['p']);
  });
});

describe('howMany', () => {
  it.each([
    [{ mode: 'one' as const }, 5, 1],
    [{ mode: 'all' as const }, 5, 5],
    [{ mode: 'count' as const, count: 2 }, 5, 2],
    [{ mode: 'count' as const, count: 9 }, 3, 3],
    [{ mode: 'percent' as const, percent: 50 }, 3, 2],
    [{ mode: 'percent' as const, percent: 50 }, 4, 2],
    [{ mode: 'percent' as const, percent: 1 }, 3, 1],
    [{ mode: 'percent' as const, percent: 100 }, 3, 3],
    [{ mode: 'all' as const }, 0, 0],
  ])('%j of %i → %i', (m, n, want) => expect(howMany(m, n)).toBe(want));
});

describe('choose', () => {
  it('is replayable from the seed and picks distinct items', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    const one = choose(items, 3, seededRandom(42));
    expect(choose(items, 3, seededRandom(42))).toEqual(one);
    expect(new Set(one).size).toBe(3);
    expect(items).toEqual(['a', 'b', 'c', 'd', 'e', 'f']); // input untouched
  });
  it('different seeds give different choices over many draws', () => {
    const picks = new Set(Array.from({ length: 20 }, (_, s) => choose(['a', 'b', 'c', 'd'], 1, seededRandom(s))[0]));
    expect(picks.size).toBeGreaterThan(1);
  });
});

describe('the replacement: the new pod at the rank', () => {
  /** the replacement of the pod at `rank` (index.ts and tracker.ts look it up so) */
  const replacementFor = (pods: PodInfo[], ownerUid: string, existing: Existing, rank: number, appearedAt?: (p: PodInfo) => number | undefined) => newPods(pods, ownerUid, existing, appearedAt)[rank];
  const exactly = (names: string[]): Existing => ({ names: new Set(names) });
  it('gives two kills from one ReplicaSet two distinct replacements, by creation order', () => {
    const known = exactly(['a', 'b', 'c']);
    const peers = ['b', 'a'];
    const now = [pod('c'), pod('x2', { createdAt: 2_000 }), pod('x1', { createdAt: 2_000 }), pod('x0', { createdAt: 1_500 })];
    expect(replacementFor(now, 'rs-1', known, rankAmong(peers, 'a'))?.name).toBe('x0');
    expect(replacementFor(now, 'rs-1', known, rankAmong(peers, 'b'))?.name).toBe('x1');
  });
  it('orders by arrival on the watch when known: same-second replacements are not ordered by name', () => {
    // x-late was born before a-early, in the same second: by name a-early would wrongly come first
    const now = [pod('a-early', { createdAt: 3_000 }), pod('x-late', { createdAt: 3_000 })];
    const arrival = new Map([['x-late', 0], ['a-early', 1]]); // x-late was born (and arrived) first
    const arrived = (p: PodInfo) => arrival.get(p.name);
    expect(replacementFor(now, 'rs-1', exactly([]), 0, arrived)?.name).toBe('x-late');
    expect(replacementFor(now, 'rs-1', exactly([]), 1, arrived)?.name).toBe('a-early');
    // and a tracker that resolved while only the first had arrived agrees with one that saw both
    expect(replacementFor([now[1]!], 'rs-1', exactly([]), 0, arrived)?.name).toBe('x-late');
    // pods already there when the watch began (no arrival) come first, by creation time
    const listed = pod('b-listed', { createdAt: 2_500 });
    expect(replacementFor([...now, listed], 'rs-1', exactly([]), 0, arrived)?.name).toBe('b-listed');
    expect(newPods([...now, listed], 'rs-1', exactly([]), arrived).map((p) => p.name)).toEqual(['b-listed', 'x-late', 'a-early']);
  });
  it('ignores pods of other owners and pods that existed before', () => {
    const now = [pod('a'), pod('z', { owner: { ...rs, uid: 'other' }, createdAt: 5_000 })];
    expect(replacementFor(now, 'rs-1', exactly(['a', 'b']), rankAmong(['b'], 'b'))).toBeUndefined();
  });
  it('from a journaled choice time: new means born in its second or later, and not being deleted', () => {
    const since = bornSince(10_400);
    expect(since).toEqual({ bornSince: 10_000 });
    const now = [
      pod('old', { createdAt: 9_000 }),
      pod('same-second', { createdAt: 10_000 }), // the 1 s ambiguity: born just before the list, or a replacement? new
      pod('killed', { createdAt: 10_000, deletingAt: 10_600 }), // terminating: never its own replacement
      pod('r1', { createdAt: 11_000 }),
      pod('elsewhere', { createdAt: 11_000, owner: { ...rs, uid: 'other' } }),
    ];
    expect(newPods(now, 'rs-1', since).map((p) => p.name)).toEqual(['same-second', 'r1']);
  });
});

describe('rankAmong', () => {
  it('is the index among the chosen names sorted (as the journal used to derive it from peers), 0 when absent', () => {
    expect(['c', 'a', 'b'].map((n) => rankAmong(['c', 'a', 'b'], n))).toEqual([2, 0, 1]);
    expect(rankAmong(['b', 'a'], 'z')).toBe(0);
    expect(rankAmong(['web-10', 'web-9', 'Web-1'], 'web-9')).toBe(2); // code-unit order, as Array#sort
  });
});

describe('workloadName', () => {
  it('names the Deployment behind a ReplicaSet', () => {
    expect(workloadName(rs, { 'pod-template-hash': 'abc' })).toBe('Deployment checkout');
    expect(workloadName({ kind: 'StatefulSet', name: 'db' }, {})).toBe('StatefulSet db');
    expect(workloadName(undefined, {})).toBeUndefined();
  });
});

describe('k8s.pod-kill params', () => {
  const parse = (p: Record<string, unknown>) => k8sPodKill.paramsSchema.safeParse(p);
  it.each([
    [{}, { mode: 'one' }],
    [{ count: 2 }, { mode: 'count', count: 2 }],
    [{ percent: 30 }, { mode: 'percent', percent: 30 }],
    [{ mode: 'all' }, { mode: 'all' }],
  ])('%j → %j', (input, kill) => {
    const r = parse(input);
    expect(r.success && r.data.kill).toEqual(kill);
  });
  it('reads grace period, min age and booleans as the command line gives them (src/cli/kv.ts turns text into numbers)', () => {
    const r = k8sPodKill.paramsSchema.parse(parseParams(['gracePeriod=0', 'minAge=1m', 'onlyRunning=false']));
    expect(r).toMatchObject({ gracePeriod: 0, minAgeMs: 60_000, onlyRunning: false, observeForMs: 300_000 });
  });
  // YAML values are taken as they are: an empty value is missing, not 0 (a force kill), and text,
  // lists and booleans are not numbers
  it.each([{ count: 2, percent: 10 }, { count: 0 }, { percent: 0 }, { percent: 101 }, { mode: 'count' }, { mode: 'all', count: 1 }, { bogus: 1 }, { onlyRunning: 'maybe' },
    { gracePeriod: null }, { gracePeriod: '' }, { gracePeriod: [] }, { gracePeriod: false }, { count: true }, { count: [3] }, { count: '0x10' }, { count: '2' }, { onlyRunning: 'false' }, { count: 1e30 }])('refuses %j', (p) => {
    expect(parse(p).success).toBe(false);
  });
  it('target needs namespace and selector', () => {
    expect(k8sPodKill.targetSchema.safeParse({ namespace: 'shop' }).success).toBe(false);
    expect(k8sPodKill.targetSchema.safeParse({ namespace: 'shop', selector: 'app=checkout' }).success).toBe(true);
  });
});
