/**
 * Fixtures for the Kubernetes object faults (k8s.scale, k8s.service-selector, k8s.node-drain):
 * a Service in a test namespace, a kwok node of the test's own (tainted, so no other test's pods
 * land on it) with a Deployment pinned to it, a PodDisruptionBudget, and snapshots of the objects
 * a fault touches (to prove the state after equals the state before).
 */
import type { TestNamespace } from '../kube.js';
import { kube, randomSuffix, waitUntil } from './sandbox.js';

export const TEST_TAINT_KEY = 'gameday.dev/test-drain';

export async function service(ns: string, name: string, selector: Record<string, string>): Promise<void> {
  const { core } = await kube();
  await core.createNamespacedService({ namespace: ns, body: { metadata: { name }, spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } });
}

/** ready endpoints of a Service, read straight from its EndpointSlices */
export async function readyEndpoints(ns: string, name: string): Promise<number> {
  const { kc, k8s } = await kube();
  const d = kc.makeApiClient(k8s.DiscoveryV1Api);
  const slices = await d.listNamespacedEndpointSlice({ namespace: ns, labelSelector: `kubernetes.io/service-name=${name}` });
  return slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length;
}

/** A kwok node of this test only: tainted so that only pods tolerating the taint land on it. */
export async function testNode(prefix = 'gdk-drain', labels: Record<string, string> = {}): Promise<{ name: string; dispose(): Promise<void> }> {
  const { core } = await kube();
  const name = `${prefix}-${randomSuffix()}`;
  await core.createNode({
    body: {
      metadata: { name, labels: { 'kubernetes.io/hostname': name, type: 'kwok-test', ...labels }, annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' } },
      spec: { taints: [{ key: TEST_TAINT_KEY, value: name, effect: 'NoSchedule' }] },
    },
  });
  await waitUntil(`node ${name} Ready`, async () => (await core.readNode({ name })).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'), 60_000);
  return { name, dispose: async () => void (await core.deleteNode({ name }).catch(() => undefined)) };
}

/** A Deployment whose pods can only run on `node` (kwok runs them). */
export async function pinnedDeployment(ns: TestNamespace, name: string, replicas: number, node: string): Promise<void> {
  const { apps } = await kube();
  const labels = { app: name };
  await apps.createNamespacedDeployment({
    namespace: ns.name,
    body: {
      metadata: { name, labels },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 0,
            nodeSelector: { 'kubernetes.io/hostname': node },
            containers: [{ name: 'app', image: 'registry.example/fake:1' }],
            tolerations: [
              { key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' },
              { key: TEST_TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' },
            ],
          },
        },
      },
    },
  });
  await ns.waitReady(name, replicas);
}

export async function pdb(ns: string, name: string, matchLabels: Record<string, string>, minAvailable: number): Promise<void> {
  const { kc, k8s } = await kube();
  const policy = kc.makeApiClient(k8s.PolicyV1Api);
  await policy.createNamespacedPodDisruptionBudget({ namespace: ns, body: { metadata: { name }, spec: { minAvailable, selector: { matchLabels } } } });
  // the disruption controller must have looked at it, or every eviction is refused for that reason
  await waitUntil(`pdb ${ns}/${name} observed`, async () => {
    const p = await policy.readNamespacedPodDisruptionBudget({ namespace: ns, name });
    return (p.status?.observedGeneration ?? 0) >= (p.metadata?.generation ?? 1);
  }, 60_000);
}

/** The fields a fault may touch, and nothing that moves by itself (status, resourceVersion, managedFields). */
export async function objectState(kind: 'deployment' | 'service' | 'node', ns: string, name: string): Promise<unknown> {
  const { core, apps } = await kube();
  if (kind === 'deployment') {
    const d = await apps.readNamespacedDeployment({ namespace: ns, name });
    return { uid: d.metadata?.uid, labels: d.metadata?.labels, annotations: d.metadata?.annotations ?? {}, replicas: d.spec?.replicas, selector: d.spec?.selector };
  }
  if (kind === 'service') {
    const s = await core.readNamespacedService({ namespace: ns, name });
    return { uid: s.metadata?.uid, labels: s.metadata?.labels, annotations: s.metadata?.annotations ?? {}, selector: s.spec?.selector, ports: s.spec?.ports, clusterIP: s.spec?.clusterIP, type: s.spec?.type };
  }
  const n = await core.readNode({ name });
  return { uid: n.metadata?.uid, labels: n.metadata?.labels, annotations: n.metadata?.annotations ?? {}, unschedulable: n.spec?.unschedulable ?? false, taints: n.spec?.taints };
}
