/**
 * k8s.scale, k8s.service-selector and k8s.node-drain through the shared injector contract and
 * their guards, with the real KubePort against the sandbox's kube-apiserver (kwok runs the pods).
 * Each behaviour test also proves the touched object equals its before-state after the revert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { k8sScale } from '../../src/injectors/k8s-scale/index.js';
import { k8sServiceSelector } from '../../src/injectors/k8s-service-selector/index.js';
import { k8sNodeDrain } from '../../src/injectors/k8s-node-drain/index.js';
import type { AnyInjector, FaultRef } from '../../src/injectors/contract.js';
import { resolvePlan } from '../../src/runner/plan.js';
import type { KubePort } from '../../src/ports/kube.js';
import { refusals } from '../../src/core/guards.js';
import { describeInjectorContract } from '../helpers/contract-suite.js';
import { contextWith, sandboxEnvironment, sandboxPort, testNamespace, type TestNamespace } from '../helpers/kube.js';
import { objectState, pdb, pinnedDeployment, readyEndpoints, service, testNode } from '../helpers/sandbox/k8s-objects.js';
import { kube, waitUntil } from '../helpers/sandbox/sandbox.js';

const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
let n = 0;
const ref = (): FaultRef => ({ faultId: `f${++n}`, drillId: 'k8s-objects', deadline: Date.now() + 120_000, attached: true });

/** select → prepare → inject through the injector as the runner drives it; returns what revert needs */
async function inject(inj: AnyInjector, kube: KubePort, target: Record<string, unknown>, params: Record<string, unknown> = {}) {
  const ctx = contextWith({ kube }, sandboxEnvironment());
  const spec = inj.targetSchema.parse(target);
  const p = inj.paramsSchema.parse(params);
  const sel = await inj.select(ctx, spec, p, () => 0.5);
  const r = ref();
  const undo = json(await inj.prepare(ctx, sel.targets[0]!, p, r));
  const injected = await inj.inject(ctx, sel.targets[0]!, p, undo, r);
  return { ctx, sel, undo, r, injected: injected as Record<string, unknown> };
}

describeInjectorContract('k8s.scale', async () => {
  const env = sandboxEnvironment();
  const kube = await sandboxPort(env);
  const ns = await testNamespace('gdk-scale-contract', { optIn: true });
  await ns.deployment('api', 2);
  const { apps } = await (await import('../helpers/sandbox/sandbox.js')).kube();
  return {
    injector: k8sScale,
    ctx: contextWith({ kube }, env),
    target: { namespace: ns.name, deployment: 'api' },
    params: {},
    settle: () => ns.waitReady('api', 2),
    vanish: async () => void (await apps.deleteNamespacedDeployment({ namespace: ns.name, name: 'api' })),
    cleanup: () => ns.dispose(),
  };
});

describeInjectorContract('k8s.service-selector', async () => {
  const env = sandboxEnvironment();
  const kube = await sandboxPort(env);
  const ns = await testNamespace('gdk-svc-contract', { optIn: true });
  await ns.deployment('api', 2);
  await service(ns.name, 'api', { app: 'api' });
  const { core } = await (await import('../helpers/sandbox/sandbox.js')).kube();
  return {
    injector: k8sServiceSelector,
    ctx: contextWith({ kube }, env),
    target: { namespace: ns.name, service: 'api' },
    params: {},
    vanish: async () => void (await core.deleteNamespacedService({ namespace: ns.name, name: 'api' })),
    cleanup: () => ns.dispose(),
  };
});

describeInjectorContract('k8s.node-drain', async () => {
  const env = sandboxEnvironment();
  const kube = await sandboxPort(env);
  const node = await testNode();
  const ns = await testNamespace('gdk-drain-contract', { optIn: true });
  await pinnedDeployment(ns, 'api', 2, node.name);
  const { core } = await (await import('../helpers/sandbox/sandbox.js')).kube();
  return {
    injector: k8sNodeDrain,
    ctx: contextWith({ kube }, env),
    target: { node: node.name },
    params: { gracePeriod: 0, pdbWait: '1s' },
    // evicted pods are re-created Pending while the node is cordoned, and run again after the revert
    settle: () => ns.waitReady('api', 2),
    vanish: async () => void (await core.deleteNode({ name: node.name })),
    cleanup: async () => {
      await ns.dispose();
      await node.dispose();
    },
  };
});

describe('k8s object faults on the real API server', () => {
  let kubePort: KubePort;
  let ns: TestNamespace;
  let closed: TestNamespace;
  beforeAll(async () => {
    kubePort = await sandboxPort();
    ns = await testNamespace('gdk-objects', { optIn: true });
    closed = await testNamespace('gdk-objects-closed', { optIn: false });
  });
  afterAll(async () => {
    await ns?.dispose();
    await closed?.dispose();
  });

  it('k8s.scale: scales to 0 (pods go), journals and marks it, and the revert leaves the Deployment as it was', async () => {
    await ns.deployment('web', 3);
    const before = await objectState('deployment', ns.name, 'web');
    const { ctx, undo, r, sel } = await inject(k8sScale, kubePort, { namespace: ns.name, deployment: 'web' });
    expect(sel.notes?.[0]).toContain('3 → 0 replica(s)');
    expect(undo).toMatchObject({ replicasBefore: 3, replicas: 0 });
    const { core } = await kube();
    await waitUntil('web pods gone', async () => (await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=web' })).items.length === 0);
    const during = (await objectState('deployment', ns.name, 'web')) as { annotations: Record<string, string>; replicas: number };
    expect(during.replicas).toBe(0);
    expect(during.annotations).toMatchObject({ 'gameday.dev/fault': `k8s-objects/${r.faultId}`, 'gameday.dev/replicas-before': '3' });
    expect((await k8sScale.revert(ctx, undo, r)).outcome).toBe('reverted');
    await ns.waitReady('web', 3);
    expect(await objectState('deployment', ns.name, 'web')).toEqual(before);
  });

  it('k8s.scale: a StatefulSet too, to a chosen count, and back', async () => {
    const { apps } = await kube();
    const labels = { app: 'db' };
    await apps.createNamespacedStatefulSet({
      namespace: ns.name,
      body: {
        metadata: { name: 'db', labels },
        spec: {
          replicas: 3,
          serviceName: 'db',
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'db', image: 'registry.example/fake:1' }], tolerations: [{ key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' }] } },
        },
      },
    });
    await waitUntil('db 3 ready', async () => (await apps.readNamespacedStatefulSet({ namespace: ns.name, name: 'db' })).status?.readyReplicas === 3, 90_000);
    const before = await apps.readNamespacedStatefulSet({ namespace: ns.name, name: 'db' });
    const { ctx, undo, r } = await inject(k8sScale, kubePort, { namespace: ns.name, statefulset: 'db' }, { replicas: 1 });
    expect(undo).toMatchObject({ kind: 'statefulset', replicasBefore: 3, replicas: 1 });
    expect((await apps.readNamespacedStatefulSet({ namespace: ns.name, name: 'db' })).spec?.replicas).toBe(1);
    expect((await k8sScale.verify(ctx, undo, 'injected', r)).ok).toBe(true);
    expect((await k8sScale.revert(ctx, undo, r)).outcome).toBe('reverted');
    const after = await apps.readNamespacedStatefulSet({ namespace: ns.name, name: 'db' });
    expect({ replicas: after.spec?.replicas, annotations: after.metadata?.annotations ?? {}, uid: after.metadata?.uid }).toEqual({ replicas: 3, annotations: before.metadata?.annotations ?? {}, uid: before.metadata?.uid });
  });

  it('k8s.scale: refuses a scale to N > 0 under an HPA, and notes the HPA pausing for a scale to 0', async () => {
    await ns.deployment('auto', 2);
    const { kc, k8s } = await kube();
    await kc.makeApiClient(k8s.AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({
      namespace: ns.name,
      body: { metadata: { name: 'auto' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'auto' }, minReplicas: 2, maxReplicas: 5 } },
    });
    const ctx = contextWith({ kube: kubePort }, sandboxEnvironment());
    await expect(k8sScale.select(ctx, k8sScale.targetSchema.parse({ namespace: ns.name, deployment: 'auto' }), k8sScale.paramsSchema.parse({ replicas: 1 }), Math.random)).rejects.toThrow(
      /HPA .*\/auto targets deployment .*\/auto and would undo a scale to 1/,
    );
    const sel = await k8sScale.select(ctx, k8sScale.targetSchema.parse({ namespace: ns.name, deployment: 'auto' }), k8sScale.paramsSchema.parse({}), Math.random);
    expect(sel.notes?.join('\n')).toMatch(/HPA auto \(min 2, max 5\) pauses while the target has 0 replicas/);
  });

  it('k8s.service-selector: the endpoints vanish, and the revert restores exactly the journaled selector', async () => {
    await ns.deployment('shopfront', 2);
    await service(ns.name, 'shopfront', { app: 'shopfront' });
    await waitUntil('shopfront endpoints', async () => (await readyEndpoints(ns.name, 'shopfront')) === 2);
    const before = await objectState('service', ns.name, 'shopfront');
    const { ctx, undo, r, injected } = await inject(k8sServiceSelector, kubePort, { namespace: ns.name, service: 'shopfront' });
    expect(injected).toMatchObject({ selectorBefore: 'app=shopfront', selector: 'app=shopfront-v2' });
    await waitUntil('endpoints gone', async () => (await readyEndpoints(ns.name, 'shopfront')) === 0, 30_000);
    expect((await k8sServiceSelector.verify(ctx, undo, 'injected', r)).ok).toBe(true);
    expect((await k8sServiceSelector.revert(ctx, undo, r)).outcome).toBe('reverted');
    expect(await objectState('service', ns.name, 'shopfront')).toEqual(before);
    await waitUntil('endpoints back', async () => (await readyEndpoints(ns.name, 'shopfront')) === 2, 30_000);
  });

  it('k8s.service-selector: a selector key the fault added is removed again; targetPort mode restores the ports', async () => {
    await service(ns.name, 'extra', { app: 'shopfront' });
    const before = await objectState('service', ns.name, 'extra');
    const a = await inject(k8sServiceSelector, kubePort, { namespace: ns.name, service: 'extra' }, { selector: 'app=shopfront,tier=gold' });
    expect(((await objectState('service', ns.name, 'extra')) as { selector: unknown }).selector).toEqual({ app: 'shopfront', tier: 'gold' });
    await k8sServiceSelector.revert(a.ctx, a.undo, a.r);
    expect(await objectState('service', ns.name, 'extra')).toEqual(before);
    const b = await inject(k8sServiceSelector, kubePort, { namespace: ns.name, service: 'extra' }, { mode: 'targetPort', targetPort: 9999 });
    expect(((await objectState('service', ns.name, 'extra')) as { ports: { targetPort: unknown }[] }).ports[0]!.targetPort).toBe(9999);
    expect((await k8sServiceSelector.verify(b.ctx, b.undo, 'injected', b.r)).ok).toBe(true);
    await k8sServiceSelector.revert(b.ctx, b.undo, b.r);
    expect(await objectState('service', ns.name, 'extra')).toEqual(before);
  });

  it('k8s.node-drain: cordons, evicts through the Eviction API, reports what a PodDisruptionBudget blocked, and uncordons', async () => {
    const node = await testNode();
    try {
      await pinnedDeployment(ns, 'free', 2, node.name);
      await pinnedDeployment(ns, 'guarded', 2, node.name);
      await pdb(ns.name, 'guarded', { app: 'guarded' }, 2);
      await pinnedDeployment(closed, 'other', 1, node.name);
      const before = await objectState('node', '', node.name);
      const { ctx, undo, r, injected, sel } = await inject(k8sNodeDrain, kubePort, { node: node.name }, { gracePeriod: 0, pdbWait: '3s' });
      expect(sel.notes?.join('\n')).toMatch(/4 pod\(s\) to evict/);
      expect(sel.notes?.join('\n')).toMatch(/namespace not opted in/);
      expect((injected.evicted as string[]).filter((p) => p.includes('/free-'))).toHaveLength(2);
      const blocked = injected.blockedByPdb as { pod: string; pdb: string; reason: string }[];
      expect(blocked).toHaveLength(2);
      expect(blocked[0]!.pdb).toBe(`${ns.name}/guarded (0 disruption(s) allowed)`);
      expect(blocked[0]!.reason).toMatch(/disruption budget/i);
      expect((injected.left as string[]).some((l) => l.startsWith(`${closed.name}/other-`))).toBe(true);
      expect((await k8sNodeDrain.verify(ctx, undo, 'injected', r)).ok).toBe(true);
      expect((await k8sNodeDrain.revert(ctx, undo, r)).outcome).toBe('reverted');
      // the node lifecycle controller removes its `unschedulable` taint shortly after the uncordon
      await waitUntil('the node as it was (the unschedulable taint gone)', async () => JSON.stringify(await objectState('node', '', node.name)) === JSON.stringify(before), 30_000, 250);
      expect(await objectState('node', '', node.name)).toEqual(before);
      await ns.waitReady('free', 2);
    } finally {
      await node.dispose();
    }
  });

  it('guards on the plan: a namespace without the opt-in label, a protected namespace and an opted-out node are refused', async () => {
    await closed.deployment('app', 1);
    await service(closed.name, 'app', { app: 'app' });
    const optedOut = await testNode('gdk-optout', { 'gameday.dev/enabled': 'false' });
    try {
      const plan = (faults: { kind: string; target: Record<string, string | number | boolean>; params?: Record<string, unknown> }[]) =>
        resolvePlan({ env: sandboxEnvironment(), faults: faults.map((f) => ({ params: {}, ...f, acknowledgeNodeImpact: true })), seed: 1, halt: { halted: false } }, { ports: { kube: kubePort }, signal: new AbortController().signal });
      const refused = async (...a: Parameters<typeof plan>) => refusals((await plan(...a)).verdicts).map((v) => `${v.guard}: ${v.detail}`);
      expect(await refused([{ kind: 'k8s.scale', target: { namespace: closed.name, deployment: 'app' } }])).toEqual([
        `opt-in: fault 1 (k8s.scale): deployment ${closed.name}/app has not opted in (namespace ${closed.name} lacks the label gameday.dev/enabled=true)`,
      ]);
      expect(await refused([{ kind: 'k8s.service-selector', target: { namespace: closed.name, service: 'app' } }])).toEqual([
        `opt-in: fault 1 (k8s.service-selector): service ${closed.name}/app has not opted in (namespace ${closed.name} lacks the label gameday.dev/enabled=true)`,
      ]);
      const dns = await refused([{ kind: 'k8s.service-selector', target: { namespace: 'kube-system', service: 'kube-dns' } }]);
      expect(dns.some((l) => l.startsWith('protected-namespace: fault 1 (k8s.service-selector): service kube-system/kube-dns is in protected namespace kube-system'))).toBe(true);
      expect(await refused([{ kind: 'k8s.node-drain', target: { node: optedOut.name } }])).toEqual([`opt-in: fault 1 (k8s.node-drain): node ${optedOut.name} has not opted in (it is labelled out: gameday.dev/enabled is not true)`]);
      // drawn at random, an opted-out node is never chosen
      for (const seed of [1, 2, 3, 4, 5]) {
        const p = await resolvePlan({ env: sandboxEnvironment(), faults: [{ kind: 'k8s.node-drain', target: {}, params: {}, acknowledgeNodeImpact: true }], seed, halt: { halted: false } }, { ports: { kube: kubePort }, signal: new AbortController().signal });
        expect(p.faults[0]!.selection.targets[0]!.id).not.toBe(optedOut.name);
      }
      // and a node-level fault needs the acknowledgement
      const unack = await resolvePlan({ env: sandboxEnvironment(), faults: [{ kind: 'k8s.node-drain', target: {}, params: {} }], seed: 1, halt: { halted: false } }, { ports: { kube: kubePort }, signal: new AbortController().signal });
      expect(refusals(unack.verdicts).map((v) => v.guard)).toContain('node-impact');
    } finally {
      await optedOut.dispose();
    }
  });
});
