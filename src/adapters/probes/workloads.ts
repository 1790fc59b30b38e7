/**
 * Workload readiness through the real API server: a GET for one-off checks and a watch (not a
 * poll) for the live loop. @kubernetes/client-node is imported on first use only.
 */
import type { Environment } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import type { WorkloadKind, WorkloadPort, WorkloadStatus } from '../../ports/probes.js';
import { kubeConfigFor } from '../kube/client.js';
import { boundedApiClient } from '../kube/bounded.js';

const PLURAL: Record<WorkloadKind, string> = { deployment: 'deployments', statefulset: 'statefulsets', daemonset: 'daemonsets' };

interface WorkloadObject {
  kind?: string;
  spec?: { replicas?: number };
  status?: { readyReplicas?: number; updatedReplicas?: number; desiredNumberScheduled?: number; numberReady?: number; updatedNumberScheduled?: number };
}

export function workloadStatus(kind: WorkloadKind, o: WorkloadObject): WorkloadStatus {
  if (kind === 'daemonset') return { desired: o.status?.desiredNumberScheduled ?? 0, ready: o.status?.numberReady ?? 0, updated: o.status?.updatedNumberScheduled };
  return { desired: o.spec?.replicas ?? 1, ready: o.status?.readyReplicas ?? 0, updated: o.status?.updatedReplicas };
}

export function createWorkloadPort(env: Environment): WorkloadPort {
  let cfg: ReturnType<typeof kubeConfigFor> | undefined;
  const load = () => (cfg ??= kubeConfigFor(env));
  const path = (ns: string, kind: WorkloadKind) => `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/${PLURAL[kind]}`;

  return {
    async get(namespace, kind, name, { timeoutMs, signal }) {
      const { k8s, kc } = await load();
      const apps = boundedApiClient(k8s, kc, k8s.AppsV1Api); // the request itself is cut, not only waited for
      const read = kind === 'deployment' ? apps.readNamespacedDeployment({ name, namespace }) : kind === 'statefulset' ? apps.readNamespacedStatefulSet({ name, namespace }) : apps.readNamespacedDaemonSet({ name, namespace });
      const timeout = new Promise<never>((_, reject) => {
        const t = setTimeout(() => reject(new Error(`no answer from the API server within ${timeoutMs}ms`)), timeoutMs);
        signal.addEventListener('abort', () => { clearTimeout(t); reject(new Error('aborted')); }, { once: true });
        void read.finally(() => clearTimeout(t)).catch(() => undefined);
      });
      try {
        return workloadStatus(kind, (await Promise.race([read, timeout])) as WorkloadObject);
      } catch (e) {
        if ((e as { code?: number }).code === 404) return undefined;
        throw e;
      }
    },

    async watch(namespace, kind, name, onStatus, signal) {
      const { k8s, kc } = await load();
      const watcher = new k8s.Watch(kc);
      let failures = 0;
      // a watch stream ends now and then (server timeouts): re-establish until aborted
      while (!signal.aborted) {
        const ended = await new Promise<unknown>((resolve) => {
          let req: AbortController | undefined;
          const onAbort = () => req?.abort();
          signal.addEventListener('abort', onAbort, { once: true });
          watcher
            .watch(path(namespace, kind), { fieldSelector: `metadata.name=${name}`, allowWatchBookmarks: false }, (phase, obj: WorkloadObject) => {
              failures = 0;
              if (phase === 'DELETED') onStatus(undefined);
              else if (phase === 'ADDED' || phase === 'MODIFIED') onStatus(workloadStatus(kind, obj));
            }, (err) => {
              signal.removeEventListener('abort', onAbort);
              resolve(err);
            })
            .then((c) => {
              req = c;
              if (signal.aborted) c.abort();
            })
            .catch((err) => {
              signal.removeEventListener('abort', onAbort);
              resolve(err ?? new Error('watch failed'));
            });
        });
        if (signal.aborted) return;
        if (ended && (ended as Error).name !== 'AbortError') {
          failures += 1;
          if (failures >= 5) throw new GamedayError('UNREACHABLE', `watch of ${kind}/${name} in ${namespace} keeps failing: ${(ended as Error).message ?? String(ended)}`, { cause: ended });
          await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** failures)));
        }
      }
    },
  };
}
