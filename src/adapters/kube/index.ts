/**
 * The KubePort on @kubernetes/client-node 1.4 (loaded lazily through kubeConfigFor). Every call
 * goes through one token bucket per port (see rate-limit.ts) and errors come out as one line:
 * network failures as GamedayError UNREACHABLE, HTTP errors as KubeApiError with `.code`.
 */
import { lookup } from 'node:dns/promises';
import type { V1ConfigMap, V1DaemonSet, V1Pod } from '@kubernetes/client-node';
import type { Environment } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import type { KubePort, PodEventType, PodInfo } from '../../ports/kube.js';
import { toNodeInfo, toPodInfo } from './convert.js';
import { objectMethods } from './objects.js';
import { kubeConfigFor } from './client.js';
import { RateLimiter, rateLimitFromEnv, type RateLimitOptions } from './rate-limit.js';
import { boundedApiClient, boundedCall } from './bounded.js';
import { jsonGetter, listAllAt } from './raw-list.js';

/** An HTTP error from the API server, with its status code and a one-line message. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export { toNodeInfo, toPodInfo } from './convert.js';

const statusOf = (e: unknown): number | undefined => {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'number' ? c : undefined;
};
const isNotFound = (e: unknown): boolean => statusOf(e) === 404;

export interface KubePortOptions {
  rateLimit?: Partial<RateLimitOptions>;
  /** share one limiter between ports (tests count throttling through it) */
  limiter?: RateLimiter;
  /** items per page of a list read as plain JSON (raw-list.ts; tests page small lists) */
  listPageSize?: number;
}

export async function createKubePort(env: Environment, opts: KubePortOptions = {}): Promise<KubePort> {
  const { k8s, kc } = await kubeConfigFor(env);
  // every request bounded by a timeout and the enclosing call scope (bounded.ts)
  const core = boundedApiClient(k8s, kc, k8s.CoreV1Api);
  const apps = boundedApiClient(k8s, kc, k8s.AppsV1Api);
  const discovery = boundedApiClient(k8s, kc, k8s.DiscoveryV1Api);
  const autoscaling = boundedApiClient(k8s, kc, k8s.AutoscalingV2Api);
  const policy = boundedApiClient(k8s, kc, k8s.PolicyV1Api);
  const limiter = opts.limiter ?? new RateLimiter({ ...rateLimitFromEnv(), ...opts.rateLimit });
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  const getJson = jsonGetter(kc);

  /** one API call: throttled, 429s retried, bounded in time (no answer: retried if idempotent), errors made one line */
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    // reads and deletes may be repeated safely; a create or patch that got no answer is not resent blindly
    const idempotent = /^(read|list|delete|get)\b/.test(what);
    try {
      return await boundedCall(server, what, idempotent, () => limiter.run(fn));
    } catch (e) {
      if (e instanceof GamedayError) throw e;
      const code = statusOf(e);
      if (code !== undefined && code >= 100) {
        const body = (e as { body?: unknown }).body;
        let reason = '';
        try {
          const parsed = typeof body === 'string' ? (JSON.parse(body) as { message?: string }) : (body as { message?: string } | undefined);
          reason = parsed?.message ?? '';
        } catch {
          reason = typeof body === 'string' ? body.slice(0, 200) : '';
        }
        throw new KubeApiError(code, `${what}: HTTP ${code}${reason ? ` ${reason.split('\n')[0]}` : ''}`, (e as { headers?: Record<string, string> }).headers ?? {});
      }
      throw new GamedayError('UNREACHABLE', `cannot reach the Kubernetes API of "${env.name}" (${server}) to ${what}: ${(e as Error).message?.split('\n')[0] ?? e}`, {
        hint: 'is the cluster up and the kube context right? (`gameday sandbox status` for the sandbox)',
        cause: e,
      });
    }
  };

  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

  const port: KubePort = {
    ...objectMethods({ k8s, core, apps, discovery, autoscaling, policy, call }),
    async namespaceLabels(namespace) {
      try {
        const ns = await call(`read namespace ${namespace}`, () => core.readNamespace({ name: namespace }));
        return ns.metadata?.labels ?? {};
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },

    async ensureNamespace(namespace, labels) {
      if ((await port.namespaceLabels(namespace)) !== undefined) return;
      try {
        await call(`create namespace ${namespace}`, () => core.createNamespace({ body: { metadata: { name: namespace, labels } } }));
      } catch (e) {
        if (statusOf(e) !== 409) throw e;
      }
    },

    async listPods(namespace, labelSelector) {
      return (await port.listPodsVersioned(namespace, labelSelector)).pods;
    },

    async listPodsVersioned(namespace, labelSelector) {
      // plain JSON, page by page (raw-list.ts): the typed client's deserializing was most of a large plan
      const { items, resourceVersion } = await listAllAt((q) => call(`list pods in ${namespace}`, () => getJson(q)), `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { labelSelector }, (p) => toPodInfo(p as V1Pod), opts.listPageSize);
      return { pods: items, resourceVersion };
    },

    async deletePod(namespace, name, o = {}) {
      try {
        let sentAt = 0;
        const pod = await call(`delete pod ${namespace}/${name}`, () => {
          sentAt = Date.now(); // the limiter let it go: this attempt leaves now
          return core.deleteNamespacedPod({
            namespace,
            name,
            ...(o.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {}),
            ...(o.uid ? { body: { preconditions: { uid: o.uid } } } : {}),
          });
        });
        const acknowledgedAt = Date.now();
        const del = pod?.metadata?.deletionTimestamp;
        const deletionTimestamp = del ? new Date(del).getTime() : undefined;
        return { outcome: 'deleted', sentAt, acknowledgedAt, ...(deletionTimestamp !== undefined ? { deletionTimestamp } : {}) };
      } catch (e) {
        // 409 with a uid precondition: the name now belongs to another pod, ours is gone
        if (isNotFound(e) || (o.uid && statusOf(e) === 409)) return { outcome: 'not-found' };
        throw e;
      }
    },

    async watchPods(namespace, labelSelector, onEvent, signal, onSynced, from) {
      const watch = new k8s.Watch(kc);
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
      let rv = '';
      const known = new Map<string, PodInfo>();
      const emit = (type: PodEventType, p: PodInfo): void => {
        if (type === 'DELETED') known.delete(p.uid);
        else known.set(p.uid, p);
        onEvent(type, p);
      };
      const relist = async (): Promise<void> => {
        const list = await call(`list pods in ${namespace}`, () => core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) }));
        const now = new Set(list.items.map((p) => p.metadata?.uid ?? ''));
        // pods that went away while we were not watching
        for (const [uid, p] of [...known]) if (!now.has(uid)) emit('DELETED', p);
        for (const p of list.items) {
          const info = toPodInfo(p);
          emit(known.has(info.uid) ? 'MODIFIED' : 'ADDED', info);
        }
        rv = list.metadata?.resourceVersion ?? '';
      };
      if (from?.resourceVersion) {
        for (const p of from.pods) emit('ADDED', p);
        rv = from.resourceVersion;
      } else await relist();
      onSynced?.();
      while (!signal.aborted) {
        let gone = false;
        let failed = false;
        let refusedWith: number | undefined;
        // 401/403 will not heal by retrying: without this the loop would quietly relist every
        // 500 ms forever, and "live watch" evidence would really be polling
        const noteRefusal = (err: unknown): void => {
          const code = (err as { statusCode?: unknown } | null)?.statusCode;
          if (code === 401 || code === 403) refusedWith = code;
        };
        await new Promise<void>((resolve) => {
          let ctl: AbortController | undefined;
          const onAbort = (): void => {
            ctl?.abort();
            resolve();
          };
          signal.addEventListener('abort', onAbort, { once: true });
          const finish = (): void => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          };
          limiter
            .acquire()
            .then(() =>
              watch.watch(
                path,
                { labelSelector, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 240 },
                (type: string, obj: V1Pod & { code?: number }) => {
                  if (type === 'BOOKMARK') {
                    rv = obj.metadata?.resourceVersion ?? rv;
                  } else if (type === 'ERROR') {
                    gone = true; // 410 Gone and friends: list again
                  } else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
                    rv = obj.metadata?.resourceVersion ?? rv;
                    emit(type as PodEventType, toPodInfo(obj));
                  }
                },
                (err: unknown) => {
                  if (err && !signal.aborted && (err as Error).name !== 'AbortError') {
                    failed = true;
                    noteRefusal(err);
                  }
                  finish();
                },
              ),
            )
            .then(
              (c) => {
                ctl = c;
                if (signal.aborted) c.abort();
              },
              (err: unknown) => {
                failed = true;
                noteRefusal(err);
                finish();
              },
            );
        });
        if (signal.aborted) break;
        if (refusedWith !== undefined) {
          throw new KubeApiError(refusedWith, `watch pods in ${namespace}: HTTP ${refusedWith} ${refusedWith === 403 ? 'forbidden (the role needs the watch verb on pods)' : 'unauthorized'}`);
        }
        if (failed) await new Promise((r) => setTimeout(r, 500));
        if (gone || failed) await relist();
      }
    },

    async listNodes(labelSelector) {
      const list = await call('list nodes', () => core.listNode(labelSelector ? { labelSelector } : {}));
      return list.items.map(toNodeInfo);
    },

    async apiServerEndpoints() {
      const out: { ip: string; port: number }[] = [];
      try {
        const slices = await call('list the kubernetes endpoint slices', () => discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=kubernetes' }));
        for (const s of slices.items) {
          const port = s.ports?.find((p) => p.name === 'https')?.port ?? s.ports?.[0]?.port ?? 443;
          for (const ep of s.endpoints ?? []) for (const ip of ep.addresses) if (s.addressType === 'IPv4') out.push({ ip, port });
        }
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      // and the address we (and usually the kubelets) reach it by: a public endpoint is not in the slices
      try {
        const u = new URL(server);
        const port = Number(u.port || 443);
        const host = u.hostname.replace(/^\[|\]$/g, '');
        const ips = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? [host] : (await lookup(host, { all: true, family: 4 })).map((a) => a.address);
        for (const ip of ips) if (!out.some((o) => o.ip === ip && o.port === port)) out.push({ ip, port });
      } catch {
        // unresolvable here: the endpoint slices are what we have
      }
      return out;
    },

    async createConfigMap(cm: V1ConfigMap) {
      await call(`create configmap ${cm.metadata?.namespace}/${cm.metadata?.name}`, () => core.createNamespacedConfigMap({ namespace: cm.metadata!.namespace!, body: cm }));
    },

    async patchConfigMapData(namespace, name, data) {
      try {
        await call(`patch configmap ${namespace}/${name}`, () => core.patchNamespacedConfigMap({ namespace, name, body: { data } }, mergePatch));
        return 'patched';
      } catch (e) {
        if (isNotFound(e)) return 'not-found';
        throw e;
      }
    },

    async getConfigMap(namespace, name) {
      try {
        return await call(`read configmap ${namespace}/${name}`, () => core.readNamespacedConfigMap({ namespace, name }));
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },

    async deleteConfigMaps(namespace, labelSelector) {
      const list = await call(`list configmaps in ${namespace}`, () => core.listNamespacedConfigMap({ namespace, labelSelector }));
      await Promise.all(
        list.items.map(async (cm) => {
          try {
            await call(`delete configmap ${namespace}/${cm.metadata?.name}`, () => core.deleteNamespacedConfigMap({ namespace, name: cm.metadata!.name! }));
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        }),
      );
      return list.items.length;
    },

    async createDaemonSet(ds: V1DaemonSet) {
      await call(`create daemonset ${ds.metadata?.namespace}/${ds.metadata?.name}`, () => apps.createNamespacedDaemonSet({ namespace: ds.metadata!.namespace!, body: ds }));
    },

    async listDaemonSets(namespace, labelSelector) {
      return (await call(`list daemonsets in ${namespace}`, () => apps.listNamespacedDaemonSet({ namespace, labelSelector }))).items;
    },

    async deleteDaemonSets(namespace, labelSelector) {
      const list = await port.listDaemonSets(namespace, labelSelector);
      await Promise.all(
        list.map(async (ds) => {
          try {
            await call(`delete daemonset ${namespace}/${ds.metadata?.name}`, () => apps.deleteNamespacedDaemonSet({ namespace, name: ds.metadata!.name!, propagationPolicy: 'Background' }));
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        }),
      );
      return list.length;
    },
  };
  return port;
}
