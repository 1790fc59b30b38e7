/**
 * The sandbox's Kubernetes side, against the real kube-apiserver, controllers and kwok started by
 * the global setup. Tests create their own uniquely named objects and remove them; the shared demo
 * world is only read, or disturbed the way a drill would (one pod deleted, then healed).
 */
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/adapters/config-store.js';
import { DRILL_LABEL, guardSpec, TOOLKIT_NAMESPACE } from '../../src/core/environment.js';
import { sandboxStatus } from '../../src/sandbox/sandbox.js';
import { kube, randomSuffix, sandbox, waitUntil, withRealNodeNetwork } from '../helpers/sandbox/sandbox.js';

const isReady = (p: { status?: { phase?: string; conditions?: { type: string; status: string }[] }; metadata?: { deletionTimestamp?: Date } }) =>
  p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

describe('sandbox: Kubernetes', () => {
  test('every kwok node is Ready, labelled, untainted, and points at its EC2 instance', async () => {
    const { core } = await kube();
    const info = sandbox();
    const nodes = await core.listNode({ labelSelector: 'type=kwok' });
    const names = nodes.items.map((n) => n.metadata?.name).sort();
    expect(names).toEqual(expect.arrayContaining([...info.nodes].sort()));
    for (const n of nodes.items.filter((x) => info.nodes.includes(x.metadata?.name ?? ''))) {
      expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(n.spec?.taints ?? []).toEqual([]);
      expect(n.metadata?.labels?.['topology.kubernetes.io/zone']).toMatch(/^us-east-1[ab]$/);
      expect(n.spec?.providerID).toMatch(/^aws:\/\/\/us-east-1[ab]\/i-[0-9a-f]+$/);
      const name = n.metadata?.name ?? '';
      expect(n.spec?.providerID).toBe(`aws:///${n.metadata?.labels?.['topology.kubernetes.io/zone']}/${info.world?.instances[name]}`);
      expect(n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address).toBe(info.world?.privateIps[name]);
    }
  });

  // under the real-node lock: other files stop or drain the real node, and the shop with it
  test('the demo world exists: shop is opted in, checkout 3/3 and catalog 2/2 Ready, services, gameday-system', () => withRealNodeNetwork(async () => {
    const { core, apps } = await kube();
    const shop = await core.readNamespace({ name: 'shop' });
    expect(shop.metadata?.labels?.['gameday.dev/enabled']).toBe('true');
    await core.readNamespace({ name: TOOLKIT_NAMESPACE });
    for (const [name, replicas] of [['checkout', 3], ['catalog', 2]] as const) {
      const d = await waitUntil(`${name} ready`, async () => {
        const dep = await apps.readNamespacedDeployment({ name, namespace: 'shop' });
        return dep.status?.readyReplicas === replicas ? dep : undefined;
      });
      expect(d.spec?.selector.matchLabels?.app).toBe(name);
      const svc = await core.readNamespacedService({ name, namespace: 'shop' });
      expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    }
  }), 660_000);

  test('deleting a checkout pod of the simulated shop: the ReplicaSet creates a replacement that kwok marks Ready', async () => {
    // beside real nodes the kwok shop lives in shop-sim (shop is the real one: sandbox-real-node.test.ts)
    const ns = sandbox().realNodes.length ? 'shop-sim' : 'shop';
    const { core } = await kube();
    const before = await waitUntil('3 Ready checkout pods', async () => {
      const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=checkout' })).items.filter(isReady);
      return pods.length >= 3 ? pods : undefined;
    });
    const victim = before[0]!.metadata!.name!;
    const known = new Set(before.map((p) => p.metadata?.uid));
    const t0 = Date.now();
    await core.deleteNamespacedPod({ name: victim, namespace: ns });
    const replacement = await waitUntil(
      'a Ready replacement checkout pod',
      async () => {
        const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=checkout' })).items;
        return pods.find((p) => !known.has(p.metadata?.uid) && isReady(p));
      },
      60_000,
    );
    expect(replacement.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
    expect(replacement.spec?.nodeName).toMatch(/^sandbox-node-\d+$/);
    // the deleted pod is really gone (kwok's pod-delete stage finishes what a kubelet would)
    await waitUntil('the deleted pod to disappear', async () => {
      try {
        await core.readNamespacedPod({ name: victim, namespace: ns });
        return undefined;
      } catch (e) {
        return (e as { code?: number }).code === 404 ? true : undefined;
      }
    }, 30_000);
    console.log(`checkout pod replaced and Ready in ${Date.now() - t0} ms`);
  });

  test('a privileged hostNetwork DaemonSet is accepted, runs one pod per node, and its pods are garbage-collected on delete', async () => {
    const { core, kc, k8s } = await kube();
    const appsApi = kc.makeApiClient(k8s.AppsV1Api);
    const name = `gdtest-agent-${randomSuffix()}`;
    const labels = { app: name, [DRILL_LABEL]: `test-${name}` };
    const nodes = (await core.listNode({ labelSelector: 'type=kwok' })).items.filter((n) => !n.spec?.unschedulable);
    await appsApi.createNamespacedDaemonSet({
      namespace: TOOLKIT_NAMESPACE,
      body: {
        metadata: { name, labels },
        spec: {
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels },
            spec: {
              hostNetwork: true,
              hostPID: false,
              tolerations: [{ operator: 'Exists' }],
              terminationGracePeriodSeconds: 1,
              containers: [{ name: 'agent', image: 'registry.example/iptables-agent:test', securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } } }],
            },
          },
        },
      },
    });
    try {
      const pods = await waitUntil(
        'one Running pod per node',
        async () => {
          const items = (await core.listNamespacedPod({ namespace: TOOLKIT_NAMESPACE, labelSelector: `app=${name}` })).items;
          const running = items.filter(isReady);
          return running.length === nodes.length ? running : undefined;
        },
        60_000,
      );
      expect(new Set(pods.map((p) => p.spec?.nodeName))).toEqual(new Set(nodes.map((n) => n.metadata?.name)));
      expect(pods.every((p) => p.spec?.hostNetwork === true && p.spec.containers[0]?.securityContext?.privileged === true)).toBe(true);
    } finally {
      await appsApi.deleteNamespacedDaemonSet({ name, namespace: TOOLKIT_NAMESPACE, propagationPolicy: 'Background' });
    }
    await waitUntil(
      'the DaemonSet pods to be garbage-collected',
      async () => (await core.listNamespacedPod({ namespace: TOOLKIT_NAMESPACE, labelSelector: `app=${name}` })).items.length === 0,
      60_000,
    );
  });

  test('RBAC is enforced: an unbound service account is forbidden, the admin is not', async () => {
    const { k8s, kc, core } = await kube();
    const ns = `gdtest-rbac-${randomSuffix()}`;
    await core.createNamespace({ body: { metadata: { name: ns } } });
    try {
      const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
      const review = await authz.createSubjectAccessReview({
        body: { spec: { user: `system:serviceaccount:${ns}:nobody`, resourceAttributes: { namespace: 'shop', verb: 'delete', resource: 'pods' } } },
      });
      expect(review.status?.allowed).toBe(false);
      const self = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: 'shop', verb: 'delete', resource: 'pods' } } } });
      expect(self.status?.allowed).toBe(true);
    } finally {
      await core.deleteNamespace({ name: ns });
    }
  });

  test('the `sandbox` environment is registered (non-critical) and status reports every component healthy', async () => {
    const info = sandbox();
    const env = loadConfig({ cwd: '/nonexistent-dir-for-gameday-test' }).environments.sandbox;
    expect(env).toBeDefined();
    expect(env?.critical).toBe(false);
    expect(env?.kube).toEqual({ context: 'gameday-sandbox', kubeconfig: info.kubeconfig });
    expect(env?.aws?.endpoint).toBe(info.aws.endpoint);
    expect(env?.guards).toEqual({ ...guardSpec.parse({}), maxPercent: 70 });
    const st = await sandboxStatus();
    expect(st.components.filter((c) => !c.healthy)).toEqual([]);
    expect(st.healthy).toBe(true);
    expect(st.info?.apiServer).toBe(info.apiServer);
  });
});
