/**
 * node.iptables against the sandbox's real API server: the DaemonSet lands one agent pod per
 * targeted node (`nodes: all` = the nodes that did not opt out: the real node; the kwok nodes are
 * opted out beside it), carries our marks, the lease is renewed by keepAlive, and revert removes
 * the DaemonSet, its ConfigMap and every pod. Named kwok nodes get agent pods that only turn Ready.
 * Refusals change nothing. (What the rules do is tested in node-iptables-real.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../src/core/environment.js';
import type { FaultRef } from '../../src/injectors/contract.js';
import { nodeIptables } from '../../src/injectors/node-iptables/index.js';
import { DEFAULT_AGENT_IMAGE, LEASE_KEY } from '../../src/injectors/node-iptables/manifest.js';
import type { KubePort } from '../../src/ports/kube.js';
import { assertPlanAllowed, resolvePlan } from '../../src/runner/plan.js';
import { contextWith, randomSuffix, sandboxEnvironment, sandboxPort } from '../helpers/kube.js';
import { kube as client, sandbox, withRealNodeNetwork } from '../helpers/sandbox/sandbox.js';

const NS = 'gameday-system';
let env: Environment;
let kube: KubePort;
let nodes: string[];
const drill = `it-iptables-${randomSuffix()}`;

beforeAll(async () => {
  env = sandboxEnvironment();
  kube = await sandboxPort(env);
  // the nodes `all` means: those that did not opt out
  nodes = (await kube.listNodes()).filter((n) => n.labels['gameday.dev/enabled'] !== 'false').map((n) => n.name).sort();
  expect(nodes).toEqual([...sandbox().realNodes].sort());
});
afterAll(async () => {
  await kube.deleteDaemonSets(NS, `gameday.dev/drill=${drill}`);
  await kube.deleteConfigMaps(NS, `gameday.dev/drill=${drill}`);
});

/** Everything in gameday-system, to compare before/after a refusal. */
async function toolkitState(): Promise<string[]> {
  const { core, apps } = await client();
  const [ds, cm, pods] = await Promise.all([apps.listNamespacedDaemonSet({ namespace: NS }), core.listNamespacedConfigMap({ namespace: NS }), core.listNamespacedPod({ namespace: NS })]);
  return [...ds.items, ...cm.items, ...pods.items].map((o) => `${o.kind ?? ''}/${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
}

describe('node.iptables on the sandbox', () => {
  it('nodes=all: one agent pod per node, marked and pinned; keepAlive renews the lease; revert removes DaemonSet, ConfigMap and every pod', () => withRealNodeNetwork(async () => {
    const ctx = contextWith({ kube }, env);
    const params = nodeIptables.paramsSchema.parse({ preset: 'dns', action: 'drop' });
    const sel = await nodeIptables.select(ctx, nodeIptables.targetSchema.parse({ nodes: 'all' }), params, Math.random);
    expect(sel.targets).toHaveLength(1);
    expect(sel.targets[0]!.data).toEqual({ nodes });
    expect(sel.targets[0]!.scope.optedIn).toBe(true);

    const ref: FaultRef = { faultId: 'f1-nodes', drillId: drill, deadline: Date.now() + 300_000, attached: true };
    const undo = JSON.parse(JSON.stringify(await nodeIptables.prepare(ctx, sel.targets[0]!, params, ref)));
    expect(undo.rules.some((r: string) => r.includes('--dport 53') && r.includes('-j DROP'))).toBe(true);
    // the API server path is kept open before any blocking rule
    expect(undo.rules[0]).toMatch(/-j RETURN$/);

    const t0 = Date.now();
    const detail = await nodeIptables.inject(ctx, sel.targets[0]!, params, undo, ref);
    console.log(`DaemonSet with ${nodes.length} Ready agent pods in ${Date.now() - t0} ms`);
    expect(detail).toMatchObject({ nodes, pods: nodes.length });
    expect((await nodeIptables.verify(ctx, undo, 'injected', ref)).ok).toBe(true);

    const { core, apps } = await client();
    const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: `gameday.dev/drill=${drill}` })).items;
    expect(pods.map((p) => p.spec?.nodeName).sort()).toEqual(nodes); // exactly one per targeted node
    const ds = (await apps.listNamespacedDaemonSet({ namespace: NS, labelSelector: `gameday.dev/drill=${drill}` })).items;
    expect(ds).toHaveLength(1);
    const podSpec = ds[0]!.spec!.template.spec!;
    expect(podSpec.hostNetwork).toBe(true);
    expect(podSpec.containers[0]!.securityContext?.privileged).toBe(true);
    expect(podSpec.containers[0]!.image).toBe(DEFAULT_AGENT_IMAGE);
    expect(podSpec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(ds[0]!.metadata?.labels).toMatchObject({ 'gameday.dev/drill': drill, 'gameday.dev/fault': 'f1-nodes' });

    // attached: a short lease, renewed by keepAlive
    const cm = await kube.getConfigMap(NS, undo.name);
    expect(cm?.data?.['agent.sh']).toContain('gameday-agent');
    expect(cm?.data?.rules).toBe(undo.rulesFile); // applied exactly as journaled with the intent
    const lease1 = Number(cm?.data?.[LEASE_KEY]);
    expect(lease1 * 1000).toBeLessThan(ref.deadline!);
    expect(lease1 * 1000).toBeGreaterThan(Date.now() + 60_000);
    await new Promise((r) => setTimeout(r, 1100));
    await nodeIptables.keepAlive!(ctx, undo, ref);
    const lease2 = Number((await kube.getConfigMap(NS, undo.name))?.data?.[LEASE_KEY]);
    expect(lease2).toBeGreaterThan(lease1);

    const t1 = Date.now();
    expect((await nodeIptables.revert(ctx, undo, ref)).outcome).toBe('reverted');
    console.log(`revert (DaemonSet deleted, every pod gone) in ${Date.now() - t1} ms`);
    expect((await nodeIptables.verify(ctx, undo, 'reverted', ref)).ok).toBe(true);
    expect((await core.listNamespacedPod({ namespace: NS, labelSelector: `gameday.dev/drill=${drill}` })).items).toEqual([]);
    expect((await core.listNamespacedConfigMap({ namespace: NS, labelSelector: `gameday.dev/drill=${drill}` })).items).toEqual([]);
    expect((await nodeIptables.revert(ctx, undo, ref)).outcome).toBe('already-reverted');
  }));

  it('named nodes: pods only there; a detached inject sets the lease to the deadline', async () => {
    const ctx = contextWith({ kube }, env);
    const two = [...sandbox().nodes].sort().slice(0, 2); // kwok nodes: named, they are targeted (guards aside)
    const params = nodeIptables.paramsSchema.parse({ preset: 'egress', to: '10.96.0.0/12:5432', action: 'reject', probability: 0.5 });
    const sel = await nodeIptables.select(ctx, { nodes: two.join('+') }, params, Math.random);
    const ref: FaultRef = { faultId: 'f2-nodes', drillId: drill, deadline: Date.now() + 120_000, attached: false };
    const undo = await nodeIptables.prepare(ctx, sel.targets[0]!, params, ref);
    try {
      await nodeIptables.inject(ctx, sel.targets[0]!, params, undo, ref);
      const pods = await kube.listPods(NS, undo.selector);
      expect(pods.map((p) => p.nodeName).sort()).toEqual(two);
      const lease = Number((await kube.getConfigMap(NS, undo.name))?.data?.[LEASE_KEY]);
      expect(lease).toBe(Math.floor(ref.deadline! / 1000));
    } finally {
      expect((await nodeIptables.revert(ctx, undo, ref)).outcome).toBe('reverted');
    }
    expect(await kube.listPods(NS, undo.selector)).toEqual([]);
  });

  it('refusals change nothing: unknown node, over the cap, node impact not acknowledged, a node that opted out', async () => {
    const ctx = contextWith({ kube }, env);
    const params = nodeIptables.paramsSchema.parse({ preset: 'dns' });
    const before = await toolkitState();

    await expect(nodeIptables.select(ctx, { nodes: 'no-such-node' }, params, Math.random)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('no-such-node') });
    await expect(nodeIptables.select(contextWith({ kube }, { ...env, guards: { ...env.guards, maxTargets: 1 } }), { nodes: sandbox().nodes.slice(0, 2).join('+') }, params, Math.random)).rejects.toMatchObject({
      code: 'GUARD_REFUSED',
    });

    const plan = (acknowledgeNodeImpact: boolean) =>
      resolvePlan({ env, faults: [{ kind: 'node.iptables', target: { nodes: 'all' }, params: { preset: 'dns' } }], seed: 1, halt: { halted: false }, acknowledgeNodeImpact }, { ports: { kube }, signal: new AbortController().signal });
    const unacked = await plan(false);
    expect(unacked.verdicts.filter((v) => !v.ok).map((v) => v.guard)).toEqual(['node-impact']);
    expect(() => assertPlanAllowed(unacked)).toThrow(/acknowledge/);
    expect((await plan(true)).ok).toBe(true);

    // a node labelled with the opt-in key set to something else has opted out
    const { core, k8s } = await client();
    const node = nodes[0]!;
    const patch = (value: string | null) =>
      core.patchNode({ name: node, body: { metadata: { labels: { 'gameday.dev/enabled': value } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await patch('false');
    try {
      const sel = await nodeIptables.select(ctx, { nodes: node }, params, Math.random);
      expect(sel.targets[0]!.scope.optedIn).toBe(false);
    } finally {
      await patch(null);
    }
    expect(await toolkitState()).toEqual(before);
  });
});
