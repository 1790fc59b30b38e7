/**
 * The KubePort's methods for the workload, Service and node faults (k8s.scale,
 * k8s.service-selector, k8s.node-drain): reads that turn 404 into `undefined`, merge patches that
 * turn 404 into 'not-found', and the Eviction API. Built by createKubePort (index.ts) with its
 * throttled, bounded `call`; kept apart so index.ts stays readable.
 */
import type { AppsV1Api, AutoscalingV2Api, CoreV1Api, DiscoveryV1Api, PolicyV1Api, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { KubePort, ScalableKind, WorkloadInfo } from '../../ports/kube.js';
import type { KubeModule } from './client.js';
import { toNodeInfo, toPodInfo } from './convert.js';

type Call = <T>(what: string, fn: () => Promise<T>) => Promise<T>;
export interface ObjectApis {
  k8s: KubeModule;
  core: CoreV1Api;
  apps: AppsV1Api;
  discovery: DiscoveryV1Api;
  autoscaling: AutoscalingV2Api;
  policy: PolicyV1Api;
  call: Call;
}

const statusOf = (e: unknown): number | undefined => {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'number' ? c : undefined;
};
const isNotFound = (e: unknown): boolean => statusOf(e) === 404;
const bodyText = (e: unknown): string => {
  const b = (e as { body?: unknown } | null)?.body;
  if (typeof b === 'string') return b;
  try {
    return JSON.stringify(b ?? '');
  } catch {
    return '';
  }
};

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
async function patched(p: Promise<unknown>): Promise<'patched' | 'not-found'> {
  try {
    await p;
    return 'patched';
  } catch (e) {
    if (isNotFound(e)) return 'not-found';
    throw e;
  }
}

const toWorkload = (kind: ScalableKind, o: V1Deployment | V1StatefulSet): WorkloadInfo => ({
  kind,
  namespace: o.metadata?.namespace ?? '',
  name: o.metadata?.name ?? '',
  uid: o.metadata?.uid ?? '',
  // an unset replicas means 1 for both kinds
  replicas: o.spec?.replicas ?? 1,
  readyReplicas: o.status?.readyReplicas ?? 0,
  labels: o.metadata?.labels ?? {},
  annotations: o.metadata?.annotations ?? {},
});

type ObjectMethods = Pick<KubePort, 'readWorkload' | 'patchWorkload' | 'listHpas' | 'readService' | 'patchService' | 'serviceEndpoints' | 'readNode' | 'patchNode' | 'listPodsOnNode' | 'evictPod' | 'listPdbs'>;

export function objectMethods({ k8s, core, apps, discovery, autoscaling, policy, call }: ObjectApis): ObjectMethods {
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  const methods: ObjectMethods = {
    async readWorkload(kind, namespace, name) {
      const o =
        kind === 'deployment'
          ? await orUndefined(call(`read deployment ${namespace}/${name}`, () => apps.readNamespacedDeployment({ namespace, name })))
          : await orUndefined(call(`read statefulset ${namespace}/${name}`, () => apps.readNamespacedStatefulSet({ namespace, name })));
      return o ? toWorkload(kind, o) : undefined;
    },

    async patchWorkload(kind, namespace, name, change) {
      const body = { ...(change.annotations ? { metadata: { annotations: change.annotations } } : {}), ...(change.replicas !== undefined ? { spec: { replicas: change.replicas } } : {}) };
      return kind === 'deployment'
        ? patched(call(`patch deployment ${namespace}/${name}`, () => apps.patchNamespacedDeployment({ namespace, name, body }, mergePatch)))
        : patched(call(`patch statefulset ${namespace}/${name}`, () => apps.patchNamespacedStatefulSet({ namespace, name, body }, mergePatch)));
    },

    async listHpas(namespace) {
      const list = await call(`list horizontalpodautoscalers in ${namespace}`, () => autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }));
      return list.items.map((h) => ({
        name: h.metadata?.name ?? '',
        targetKind: h.spec?.scaleTargetRef.kind ?? '',
        targetName: h.spec?.scaleTargetRef.name ?? '',
        ...(h.spec?.minReplicas !== undefined ? { minReplicas: h.spec.minReplicas } : {}),
        maxReplicas: h.spec?.maxReplicas ?? 0,
      }));
    },

    async readService(namespace, name) {
      const s = await orUndefined(call(`read service ${namespace}/${name}`, () => core.readNamespacedService({ namespace, name })));
      if (!s) return undefined;
      return {
        namespace,
        name,
        uid: s.metadata?.uid ?? '',
        type: s.spec?.type ?? 'ClusterIP',
        ...(s.spec?.selector ? { selector: s.spec.selector } : {}),
        ports: s.spec?.ports ?? [],
        labels: s.metadata?.labels ?? {},
        annotations: s.metadata?.annotations ?? {},
      };
    },

    async patchService(namespace, name, change) {
      const spec: Record<string, unknown> = {};
      if (change.selector) {
        // a merge patch merges maps: keys of the current selector that are not wanted must be nulled
        const current = (await methods.readService(namespace, name))?.selector ?? {};
        spec.selector = { ...Object.fromEntries(Object.keys(current).map((k) => [k, null])), ...change.selector };
      }
      if (change.ports) spec.ports = change.ports; // lists are replaced whole by a merge patch
      const body = { ...(change.annotations ? { metadata: { annotations: change.annotations } } : {}), ...(Object.keys(spec).length ? { spec } : {}) };
      return patched(call(`patch service ${namespace}/${name}`, () => core.patchNamespacedService({ namespace, name, body }, mergePatch)));
    },

    async serviceEndpoints(namespace, name) {
      const slices = await call(`list endpointslices of ${namespace}/${name}`, () => discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${name}` }));
      let ready = 0;
      let total = 0;
      for (const s of slices.items) {
        // a Service whose targetPort names a port no pod has gets slices without ports: nothing is served
        if (s.ports !== undefined && s.ports !== null && s.ports.length === 0) continue;
        for (const ep of s.endpoints ?? []) {
          total++;
          if (ep.conditions?.ready !== false) ready++;
        }
      }
      return { ready, total };
    },

    async readNode(name) {
      const n = await orUndefined(call(`read node ${name}`, () => core.readNode({ name })));
      return n ? { ...toNodeInfo(n), uid: n.metadata?.uid ?? '', annotations: n.metadata?.annotations ?? {} } : undefined;
    },

    async patchNode(name, change) {
      const body = { ...(change.annotations ? { metadata: { annotations: change.annotations } } : {}), ...(change.unschedulable !== undefined ? { spec: { unschedulable: change.unschedulable } } : {}) };
      return patched(call(`patch node ${name}`, () => core.patchNode({ name, body }, mergePatch)));
    },

    async listPodsOnNode(node) {
      const list = await call(`list pods on node ${node}`, () => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }));
      return list.items.map(toPodInfo);
    },

    async evictPod(namespace, name, opts) {
      // a budget's 429 is an answer, not throttling: it is caught inside the call so the rate
      // limiter does not retry it, and reported as 'blocked' with the server's reason
      return call(`evict pod ${namespace}/${name}`, async () => {
        try {
          await core.createNamespacedPodEviction({
            namespace,
            name,
            body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, deleteOptions: { preconditions: { uid: opts.uid }, ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}) } },
          });
          return { outcome: 'evicted' as const };
        } catch (e) {
          if (isNotFound(e) || statusOf(e) === 409) return { outcome: 'not-found' as const };
          if (statusOf(e) === 429) {
            const m = /"message":"([^"]*)"/.exec(bodyText(e));
            return { outcome: 'blocked' as const, reason: m?.[1] ?? 'a PodDisruptionBudget forbids it now' };
          }
          throw e;
        }
      });
    },

    async listPdbs(namespace) {
      const list = await call(`list poddisruptionbudgets in ${namespace}`, () => policy.listNamespacedPodDisruptionBudget({ namespace }));
      return list.items.map((p) => ({
        namespace,
        name: p.metadata?.name ?? '',
        matchLabels: p.spec?.selector?.matchLabels ?? {},
        disruptionsAllowed: p.status?.disruptionsAllowed ?? 0,
      }));
    },
  };
  return methods;
}
