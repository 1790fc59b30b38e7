/**
 * k8s.pod-kill against the sandbox's real API server, controller-manager, scheduler and kwok nodes.
 * Each test works in a namespace of its own (so parallel files don't fight over `shop`), and the
 * guard tests go through the real plan resolution (src/runner/plan.ts) and compare API state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.js';
import type { Environment } from '../../src/core/environment.js';
import { k8sPodKill } from '../../src/injectors/k8s-pod-kill/index.js';
import type { FaultRef } from '../../src/injectors/contract.js';
import type { KubePort } from '../../src/ports/kube.js';
import { assertPlanAllowed, resolvePlan } from '../../src/runner/plan.js';
import { contextWith, podSnapshot, sandboxEnvironment, sandboxPort, testNamespace, type TestNamespace } from '../helpers/kube.js';

let kube: KubePort;
let env: Environment;
let ns: TestNamespace;

beforeAll(async () => {
  env = { ...sandboxEnvironment(), guards: { ...sandboxEnvironment().guards, maxPercent: 100 } };
  kube = await sandboxPort(env);
  ns = await testNamespace('gdk-podkill', { optIn: true });
  await ns.deployment('web', 3);
});
afterAll(async () => {
  await ns?.dispose();
});

const ref = (faultId: string): FaultRef => ({ faultId, drillId: 'it-podkill', attached: true });

describe('k8s.pod-kill on the sandbox', () => {
  it('count=2 deletes exactly 2 pods at once; the replacements become Ready and observe reports the times', async () => {
    const ctx = contextWith({ kube }, env);
    const params = k8sPodKill.paramsSchema.parse({ count: 2, gracePeriod: 0 });
    const spec = k8sPodKill.targetSchema.parse({ namespace: ns.name, selector: 'app=web' });
    const before = await kube.listPods(ns.name, 'app=web');
    expect(before).toHaveLength(3);

    const sel = await k8sPodKill.select(ctx, spec, params, seededRandom(1234));
    expect(sel.targets).toHaveLength(2);
    expect(sel.candidates).toBe(3);
    for (const t of sel.targets) expect(t.scope).toMatchObject({ namespace: ns.name, optedIn: true, toolkitOwned: false });
    // the same seed chooses the same pods (replayable drills)
    const again = await k8sPodKill.select(ctx, spec, params, seededRandom(1234));
    expect(again.targets.map((t) => t.id)).toEqual(sel.targets.map((t) => t.id));

    const prepared = await Promise.all(sel.targets.map(async (t) => ({ t, r: ref(`f1-${t.id}`), undo: await k8sPodKill.prepare(ctx, t, params, ref(`f1-${t.id}`)) })));
    const t0 = Date.now();
    const injected = await Promise.all(prepared.map((p) => k8sPodKill.inject(ctx, p.t, params, p.undo, p.r)));
    const spread = Math.max(...injected.map((d) => Number(d!.deletedAtMs))) - Math.min(...injected.map((d) => Number(d!.deletedAtMs)));
    console.log(`2 deletes issued within ${spread} ms (${Date.now() - t0} ms for both calls)`);
    for (const d of injected) expect(d).toMatchObject({ pod: expect.stringContaining(`${ns.name}/web-`), owner: 'Deployment web' });

    for (const p of prepared) expect((await k8sPodKill.verify(ctx, p.undo, 'injected', p.r)).ok).toBe(true);
    const killed = new Set(sel.targets.map((t) => (t.data as { uid: string }).uid));
    const survivors = before.filter((p) => !killed.has(p.uid)).map((p) => p.uid);
    expect(survivors).toHaveLength(1);
    const now = await kube.listPods(ns.name, 'app=web');
    expect(now.filter((p) => killed.has(p.uid) && p.deletingAt === undefined)).toEqual([]);
    expect(now.some((p) => p.uid === survivors[0] && p.deletingAt === undefined)).toBe(true);

    const reports: Record<string, unknown>[] = [];
    await Promise.all(prepared.map((p, i) => k8sPodKill.observe!(ctx, p.undo, injected[i], async (d) => void reports.push(d), p.r)));
    expect(reports).toHaveLength(2);
    for (const r of reports) {
      console.log(`recovery: ${JSON.stringify(r)}`);
      expect(r).toMatchObject({ owner: 'Deployment web', replacement: expect.stringContaining(`${ns.name}/web-`) });
      expect(r.timedOut).toBeUndefined();
      expect(r.precision).toBe('watch'); // inject watched from before the delete: every step seen live
      expect(Number(r.readyAfterMs)).toBeGreaterThanOrEqual(Number(r.scheduledAfterMs));
      expect(Number(r.readyAfterMs)).toBeLessThan(60_000);
    }
    expect(new Set(reports.map((r) => r.replacement)).size).toBe(2); // two distinct replacements
    await ns.waitReady('web', 3);

    // one-shot: revert is a no-op, twice
    for (const p of prepared) {
      expect((await k8sPodKill.revert(ctx, p.undo, p.r)).outcome).toBe('nothing-to-revert');
      expect((await k8sPodKill.verify(ctx, p.undo, 'reverted', p.r)).ok).toBe(true);
    }
  });

  it('the client-side token bucket paces a blast (qps 4, burst 1): deletes are spread, all land, all recover', async () => {
    const { createKubePort } = await import('../../src/adapters/kube/index.js');
    const slow = await createKubePort(env, { rateLimit: { qps: 4, burst: 1 } });
    const ctx = contextWith({ kube: slow }, env);
    const params = k8sPodKill.paramsSchema.parse({ mode: 'all', gracePeriod: 0 });
    const sel = await k8sPodKill.select(ctx, { namespace: ns.name, selector: 'app=web' }, params, seededRandom(9));
    expect(sel.targets).toHaveLength(3);
    const prepared = await Promise.all(sel.targets.map(async (t) => ({ t, r: ref(`f3-${t.id}`), undo: await k8sPodKill.prepare(ctx, t, params, ref(`f3-${t.id}`)) })));
    const injected = await Promise.all(prepared.map((p) => k8sPodKill.inject(ctx, p.t, params, p.undo, p.r)));
    const at = injected.map((d) => Number(d!.deletedAtMs)).sort((a, b) => a - b);
    console.log(`paced deletes at +${at.map((x) => x - at[0]!).join(' ms, +')} ms`);
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(350); // 3 deletes at 4/s: about 250 ms apart
    await Promise.all(prepared.map((p, i) => k8sPodKill.observe!(ctx, p.undo, injected[i], async () => {}, p.r)));
    await ns.waitReady('web', 3);
  });

  it('observe without the tracker inject started (another process) finds the replacements from the journaled undo, as journaled now and before issue 15', async () => {
    const ctx = contextWith({ kube }, env);
    const params = k8sPodKill.paramsSchema.parse({ count: 2, gracePeriod: 0 });
    // from the journal, new pods are those born from the choice's second on (1 s resolution): choose
    // in a later second than the newest pod's, or a survivor born in that second would count as new
    const newest = Math.max(...(await kube.listPods(ns.name, 'app=web')).map((p) => p.createdAt));
    await new Promise((r) => setTimeout(r, Math.max(0, newest + 1_000 - Date.now())));
    const sel = await k8sPodKill.select(ctx, { namespace: ns.name, selector: 'app=web' }, params, seededRandom(77));
    const prepared = await Promise.all(sel.targets.map(async (t) => ({ t, r: ref(`f4-${t.id}`), undo: await k8sPodKill.prepare(ctx, t, params, ref(`f4-${t.id}`)) })));
    const injected = await Promise.all(prepared.map((p) => k8sPodKill.inject(ctx, p.t, params, p.undo, p.r)));

    // another process: the undo as the journal holds it, a port (and so a watch) of its own, and
    // another drill's name — no tracker to claim
    const journaled = prepared.map((p) => JSON.parse(JSON.stringify(p.undo)) as typeof p.undo);
    const observeAs = async (on: typeof ctx, drillId: string, undos: typeof journaled) => {
      const out: Record<string, unknown>[] = [];
      await Promise.all(prepared.map((p, i) => k8sPodKill.observe!(on, undos[i]!, injected[i], async (d) => void out.push(d), { ...p.r, drillId })));
      return new Map(out.map((r) => [r.pod, r]));
    };
    // the same undos as journaled before: the owner's chosen (peers) and listed (known) names, no rank or chosenAt
    const peers = sel.targets.map((t) => t.id);
    const known = [...sel.targets[0]!.data.known];
    const oldShape = journaled.map(({ rank: _r, chosenAt: _c, ...u }) => ({ ...u, peers, known }) as unknown as typeof u & { rank: number; chosenAt: number });
    // both at once on one port, as one process reading both journals would: one watch, the same
    // pods in the same order, so the same pairing (a watch started later may list what an earlier
    // one saw arrive, and same-second births then pair by name)
    const elsewhere = contextWith({ kube: await sandboxPort(env) }, env);
    const [now, old] = await Promise.all([observeAs(elsewhere, 'it-podkill-elsewhere', journaled), observeAs(elsewhere, 'it-podkill-old', oldShape)]);
    // and in this process, from the trackers inject started (the exact names, every step seen live)
    const live = await observeAs(ctx, 'it-podkill', prepared.map((p) => p.undo));

    for (const reports of [now, old, live]) {
      expect(reports.size).toBe(2);
      for (const r of reports.values()) {
        expect(r).toMatchObject({ owner: 'Deployment web', replacement: expect.stringContaining(`${ns.name}/web-`) });
        expect(r.timedOut).toBeUndefined();
      }
    }
    console.log(`from the journal: ${JSON.stringify([...now.values()])}`);
    for (const [pod, r] of now) expect(old.get(pod)!.replacement).toBe(r.replacement);
    // two distinct replacements, the same two whichever way they were found (same-second births
    // may pair differently: by arrival when watched live, by name when listed)
    const replacements = (m: Map<unknown, Record<string, unknown>>) => [...m.values()].map((r) => r.replacement).sort();
    expect(new Set(replacements(now)).size).toBe(2);
    expect(replacements(live)).toEqual(replacements(now));
    expect([...live.values()].every((r) => r.precision === 'watch')).toBe(true);
    await ns.waitReady('web', 3);
  });

  it('an empty selection is a clear error, and a vanished pod is TARGET_GONE', async () => {
    const ctx = contextWith({ kube }, env);
    const params = k8sPodKill.paramsSchema.parse({});
    await expect(k8sPodKill.select(ctx, { namespace: ns.name, selector: 'app=nothing-here' }, params, Math.random)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('no pod matches it'),
    });
    await expect(k8sPodKill.select(ctx, { namespace: 'gd-no-such-ns', selector: 'app=x' }, params, Math.random)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('does not exist') });
    await expect(k8sPodKill.select(ctx, { namespace: ns.name, selector: 'app=web' }, k8sPodKill.paramsSchema.parse({ minAge: '1h' }), Math.random)).rejects.toMatchObject({
      message: expect.stringContaining('too young 3'),
    });
    const sel = await k8sPodKill.select(ctx, { namespace: ns.name, selector: 'app=web' }, params, () => 0);
    const t = sel.targets[0]!;
    const undo = await k8sPodKill.prepare(ctx, t, params, ref('gone'));
    await kube.deletePod(ns.name, t.id, { gracePeriodSeconds: 0 });
    await ns.waitReady('web', 3);
    await expect(k8sPodKill.inject(ctx, t, params, undo, ref('gone'))).rejects.toMatchObject({ code: 'TARGET_GONE' });
  });
});

describe('k8s.pod-kill guards: each refusal, and nothing mutated', () => {
  const plan = (e: Environment, target: Record<string, string>, params: Record<string, unknown> = {}) =>
    resolvePlan({ env: e, faults: [{ kind: 'k8s.pod-kill', target, params }], seed: 42, halt: { halted: false } }, { ports: { kube }, signal: new AbortController().signal });

  it('a namespace without the opt-in label: optedIn false → opt-in refusal, pods untouched', async () => {
    const plain = await testNamespace('gdk-optout', { optIn: false });
    try {
      await plain.pod('lonely', { app: 'lonely' });
      const before = await podSnapshot(plain.name);
      const p = await plan(env, { namespace: plain.name, selector: 'app=lonely' });
      expect(p.faults[0]!.selection.targets[0]!.scope).toMatchObject({ optedIn: false, namespace: plain.name });
      expect(p.ok).toBe(false);
      expect(() => assertPlanAllowed(p)).toThrow(/opt-in/);
      expect(await podSnapshot(plain.name)).toEqual(before);
    } finally {
      await plain.dispose();
    }
  });

  it.each(['kube-system', 'gameday-system'])('protected namespace %s → refusal (and toolkit-owned in ours), pods untouched', async (name) => {
    const sys = await testNamespace('unused', { optIn: false, name });
    const podName = `gd-guard-${Math.random().toString(36).slice(2, 7)}`;
    try {
      await sys.pod(podName, { app: podName });
      const before = await podSnapshot(name);
      const p = await plan(env, { namespace: name, selector: `app=${podName}` });
      expect(p.ok).toBe(false);
      const refused = p.verdicts.filter((v) => !v.ok).map((v) => v.guard);
      expect(refused).toContain('protected-namespace');
      if (name === 'gameday-system') expect(refused).toContain('toolkit-owned');
      expect(() => assertPlanAllowed(p)).toThrow(/protected/);
      expect(await podSnapshot(name)).toEqual(before);
    } finally {
      await sys.dispose();
    }
  });

  it('pods of the toolkit itself (drill label) are toolkit-owned even in an opted-in namespace', async () => {
    await ns.pod('gameday-agent-like', { app: 'agentlike', 'gameday.dev/drill': 'some-drill' });
    const p = await plan(env, { namespace: ns.name, selector: 'app=agentlike' });
    expect(p.faults[0]!.selection.targets[0]!.scope.toolkitOwned).toBe(true);
    expect(p.verdicts.filter((v) => !v.ok).map((v) => v.guard)).toEqual(['toolkit-owned']);
  });

  it('more than the caps → max-targets / max-percent refusals, pods untouched', async () => {
    const before = await podSnapshot(ns.name);
    const capped = { ...env, guards: { ...env.guards, maxTargets: 1 } };
    const p1 = await plan(capped, { namespace: ns.name, selector: 'app=web' }, { count: 2 });
    expect(p1.verdicts.filter((v) => !v.ok).map((v) => v.guard)).toEqual(['max-targets']);
    const halfEnv = { ...env, guards: { ...env.guards, maxPercent: 50 } };
    const p2 = await plan(halfEnv, { namespace: ns.name, selector: 'app=web' }, { mode: 'all' });
    expect(p2.verdicts.filter((v) => !v.ok).map((v) => v.guard)).toEqual(['max-percent']);
    expect(() => assertPlanAllowed(p2)).toThrow(/max-percent/);
    expect(await podSnapshot(ns.name)).toEqual(before);
  });
});
