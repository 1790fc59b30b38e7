/**
 * Sandbox fixtures for the Kubernetes injector tests: a namespace of the test's own (opted in or
 * not) with a Deployment whose kwok pods turn Running/Ready, and helpers to read the API state.
 * Everything is deleted by `dispose`. Integration project only (needs the sandbox's global setup).
 */
import { createKubePort } from '../../src/adapters/kube/index.js';
import type { Environment } from '../../src/core/environment.js';
import type { KubePort } from '../../src/ports/kube.js';
import { contextWith } from './contract-suite.js';
import { kube, randomSuffix, sandboxEnvironment, waitUntil } from './sandbox/sandbox.js';

export { contextWith, randomSuffix, sandboxEnvironment, waitUntil };

export async function sandboxPort(env: Environment = sandboxEnvironment()): Promise<KubePort> {
  return createKubePort(env);
}

export interface TestNamespace {
  name: string;
  /** create a Deployment (kwok runs its pods) and wait until `replicas` are Ready */
  deployment(name: string, replicas: number): Promise<void>;
  /** a bare pod (no controller) */
  pod(name: string, labels: Record<string, string>): Promise<void>;
  waitReady(deployment: string, replicas: number, timeoutMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

export async function testNamespace(prefix: string, opts: { optIn: boolean; name?: string }): Promise<TestNamespace> {
  const { core, apps } = await kube();
  const name = opts.name ?? `${prefix}-${randomSuffix()}`;
  const existing = await core.readNamespace({ name }).catch(() => undefined);
  if (!existing) await core.createNamespace({ body: { metadata: { name, labels: opts.optIn ? { 'gameday.dev/enabled': 'true' } : {} } } });
  const created: { kind: 'deploy' | 'pod'; name: string }[] = [];
  const waitReady = async (dep: string, replicas: number, timeoutMs = 60_000): Promise<void> => {
    await waitUntil(
      `${name}/${dep} ${replicas} Ready and nothing terminating`,
      async () => {
        const d = await apps.readNamespacedDeployment({ name: dep, namespace: name });
        const pods = await core.listNamespacedPod({ namespace: name, labelSelector: `app=${dep}` });
        return (d.status?.readyReplicas ?? 0) === replicas && pods.items.length === replicas && pods.items.every((p) => !p.metadata?.deletionTimestamp);
      },
      timeoutMs,
    );
  };
  return {
    name,
    async deployment(dep, replicas) {
      const labels = { app: dep };
      await apps.createNamespacedDeployment({
        namespace: name,
        body: {
          metadata: { name: dep, labels },
          spec: {
            replicas,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                terminationGracePeriodSeconds: 0,
                containers: [{ name: 'app', image: 'registry.example/fake:1' }],
                tolerations: [{ key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' }],
              },
            },
          },
        },
      });
      created.push({ kind: 'deploy', name: dep });
      await waitReady(dep, replicas);
    },
    async pod(pod, labels) {
      await core.createNamespacedPod({ namespace: name, body: { metadata: { name: pod, labels }, spec: { containers: [{ name: 'app', image: 'registry.example/fake:1' }] } } });
      created.push({ kind: 'pod', name: pod });
      await waitUntil(`${name}/${pod} Running`, async () => (await core.readNamespacedPod({ name: pod, namespace: name })).status?.phase === 'Running', 30_000);
    },
    waitReady,
    async dispose() {
      if (existing) {
        for (const c of created) {
          if (c.kind === 'deploy') await apps.deleteNamespacedDeployment({ name: c.name, namespace: name }).catch(() => undefined);
          else await core.deleteNamespacedPod({ name: c.name, namespace: name, gracePeriodSeconds: 0 }).catch(() => undefined);
        }
      } else {
        await core.deleteNamespace({ name }).catch(() => undefined);
      }
    },
  };
}

/** uid → resourceVersion of every pod in a namespace: equal snapshots mean nothing was touched */
export async function podSnapshot(namespace: string): Promise<Record<string, string>> {
  const { core } = await kube();
  const list = await core.listNamespacedPod({ namespace });
  return Object.fromEntries(list.items.map((p) => [p.metadata!.uid!, `${p.metadata!.resourceVersion}${p.metadata!.deletionTimestamp ? ' terminating' : ''}`]));
}
