/**
 * An isolated copy of the shop's checkout Deployment for drills that need something to *mitigate*:
 * its own opted-in namespace, 3 replicas pinned to one sandbox node by a node label of its own.
 * Killing a pod while the label is off leaves the replacement Pending until the "team" restores
 * it (`pin(true)`), so a drill shows broken → detected → mitigated → recovered instead of the
 * ~100 ms self-healing of the plain sandbox. Shared by the recording-host and the terminal drill.
 */
import { kube, randomSuffix, sandbox, waitUntil } from './sandbox.js';

export interface PinnedCheckout {
  namespace: string;
  suffix: string;
  /**
   * Put the node label on (the pods can schedule) or take it off. Taking it off returns once the
   * scheduler has seen it (a canary pod with the same nodeSelector is reported Unschedulable): its
   * informer can lag the API by a second on a loaded machine, and a pod killed in that second would
   * be replaced at once — the drill would have nothing to mitigate.
   */
  pin(on: boolean): Promise<void>;
  /** the Deployment has `replicas` Ready pods and none is terminating */
  ready(replicas?: number): Promise<void>;
  /** removes the namespace and the node label; safe to call after a failed create */
  remove(): Promise<void>;
}

export async function checkoutReady(namespace: string, replicas = 3): Promise<void> {
  const { apps, core } = await kube();
  await waitUntil(`${namespace}/checkout ${replicas}/${replicas} Ready`, async () => {
    const d = await apps.readNamespacedDeployment({ name: 'checkout', namespace });
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'app=checkout' })).items;
    return d.status?.readyReplicas === replicas && pods.length === replicas && pods.every((p) => !p.metadata?.deletionTimestamp);
  }, 90_000);
}

/** Creates the copy in namespace `<prefix>-<suffix>`, pinned to the sandbox's node number `nodeIndex`, and waits until it is Ready. */
export async function createPinnedCheckout(prefix: string, nodeIndex = 0): Promise<PinnedCheckout> {
  const suffix = randomSuffix();
  const namespace = `${prefix}-${suffix}`;
  const nodeLabel = `gameday.dev/${prefix}-${suffix}`;
  const nodes = sandbox().nodes;
  const node = nodes[nodeIndex] ?? nodes[0]!;
  const { core, apps, k8s } = await kube();
  const label = async (on: boolean): Promise<void> => {
    await core.patchNode({ name: node, body: { metadata: { labels: { [nodeLabel]: on ? 'yes' : null } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  };
  const pin = async (on: boolean): Promise<void> => {
    await label(on);
    if (on) return;
    // bounded: each attempt is one canary; one that still lands on the node means a stale cache, so try again
    for (let attempt = 1; ; attempt++) {
      const canary = `canary-${randomSuffix()}`;
      await core.createNamespacedPod({ namespace, body: { metadata: { name: canary, labels: { app: 'canary' } }, spec: { terminationGracePeriodSeconds: 0, nodeSelector: { [nodeLabel]: 'yes' }, containers: [{ name: 'c', image: 'registry.example/canary:1' }] } } });
      try {
        const seen = await waitUntil('the canary pod to be scheduled or found Unschedulable', async () => {
          const p = await core.readNamespacedPod({ name: canary, namespace });
          if (p.spec?.nodeName) return 'stale' as const;
          return p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable') ? ('seen' as const) : undefined;
        }, 30_000, 100);
        if (seen === 'seen') return;
        if (attempt >= 10) throw new Error(`the scheduler still places pods on ${node} with ${nodeLabel} removed, after ${attempt} canaries`);
      } finally {
        await core.deleteNamespacedPod({ name: canary, namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
      }
    }
  };
  const fixture: PinnedCheckout = {
    namespace,
    suffix,
    pin,
    ready: (replicas = 3) => checkoutReady(namespace, replicas),
    remove: async () => {
      await label(false).catch(() => undefined);
      await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    },
  };
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'gameday.dev/enabled': 'true' } } } });
  await pin(true);
  const labels = { app: 'checkout' };
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: 'checkout', labels },
      spec: {
        replicas: 3,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { terminationGracePeriodSeconds: 0, nodeSelector: { [nodeLabel]: 'yes' }, containers: [{ name: 'app', image: 'registry.example/checkout:1' }] } },
      },
    },
  });
  await fixture.ready();
  return fixture;
}
