/**
 * What the Kubernetes injectors may do to a cluster, and nothing more. Implemented by
 * src/adapters/kube/ with @kubernetes/client-node (loaded lazily), every call throttled by a
 * client-side token bucket that also backs off and retries on 429. Type-only imports here.
 */
import type { V1ConfigMap, V1DaemonSet, V1ServicePort } from '@kubernetes/client-node';

export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
}

/** The facts of a pod the injectors use (times are epoch ms). */
/** The pods of one list and the resourceVersion it was read at. */
export interface PodListing {
  pods: PodInfo[];
  resourceVersion: string;
}

export interface PodInfo {
  namespace: string;
  name: string;
  uid: string;
  phase: string;
  labels: Record<string, string>;
  nodeName?: string;
  /** creationTimestamp */
  createdAt: number;
  /** set once deletion started (terminating) */
  deletingAt?: number;
  /** the controlling owner (ReplicaSet, StatefulSet, DaemonSet, Job…) */
  owner?: OwnerRef;
  /** PodScheduled=True since */
  scheduledAt?: number;
  /** Ready=True since (undefined while not Ready) */
  readyAt?: number;
}

export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
  unschedulable: boolean;
  ready: boolean;
  taints: { key: string; value?: string; effect: string }[];
}

/**
 * A pod delete as the API server answered it. `acknowledgedAt` is when its answer arrived (this
 * process's clock, ms): the delete is in etcd by then, so it is the delete's time as the server saw
 * it, not when we decided to send it (a rate limiter may have held the request meanwhile).
 */
export type PodDeleteResult =
  | {
      outcome: 'deleted';
      /** the request left (after the rate limiter let it go), epoch ms */
      sentAt: number;
      /** the server's answer arrived, epoch ms */
      acknowledgedAt: number;
      /** metadata.deletionTimestamp of the answer, when the delete is graceful (server clock, 1 s resolution) */
      deletionTimestamp?: number;
    }
  | { outcome: 'not-found' };

/** A Deployment or StatefulSet, as the scale fault sees it. */
export type ScalableKind = 'deployment' | 'statefulset';
export interface WorkloadInfo {
  kind: ScalableKind;
  namespace: string;
  name: string;
  uid: string;
  replicas: number;
  readyReplicas: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** What targets a workload for autoscaling (autoscaling/v2 HorizontalPodAutoscaler). */
export interface HpaInfo {
  name: string;
  targetKind: string;
  targetName: string;
  minReplicas?: number;
  maxReplicas: number;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  uid: string;
  type: string;
  /** undefined: a Service without a selector (its endpoints are managed by hand) */
  selector?: Record<string, string>;
  ports: V1ServicePort[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface NodeDetail extends NodeInfo {
  uid: string;
  annotations: Record<string, string>;
}

export interface PdbInfo {
  namespace: string;
  name: string;
  /** matchLabels of its selector (matchExpressions are not evaluated here) */
  matchLabels: Record<string, string>;
  disruptionsAllowed: number;
}

/** The answer to one eviction: done, gone already, or refused because a PodDisruptionBudget forbids it now. */
export type EvictionOutcome = { outcome: 'evicted' } | { outcome: 'not-found' } | { outcome: 'blocked'; reason: string };

export type PodEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface KubePort {
  /** labels of a namespace; undefined when it does not exist */
  namespaceLabels(namespace: string): Promise<Record<string, string> | undefined>;
  /** creates the namespace with these labels unless it exists */
  ensureNamespace(namespace: string, labels: Record<string, string>): Promise<void>;
  listPods(namespace: string, labelSelector?: string): Promise<PodInfo[]>;
  /** listPods, with the resourceVersion the list was read at (for watchPods `from`) */
  listPodsVersioned(namespace: string, labelSelector?: string): Promise<PodListing>;
  /** deletes one pod (with a uid precondition when given): 'not-found' when it is already gone */
  deletePod(namespace: string, name: string, opts?: { gracePeriodSeconds?: number; uid?: string }): Promise<PodDeleteResult>;
  /**
   * List then watch pods (an informer in miniature): every current pod arrives as ADDED, then
   * changes as they happen. Resolves when `signal` aborts; re-watches when the server closes the stream.
   * `onSynced` runs once the initial list is delivered: every later change will be seen.
   * `from`: a list this process just made (same namespace and selector) stands for the initial one:
   * its pods arrive as ADDED at once, and the watch starts at its resourceVersion — nothing is
   * listed again, and nothing that changed since is missed (a version too old to watch from is
   * answered 410, and the pods are listed then).
   */
  watchPods(namespace: string, labelSelector: string | undefined, onEvent: (type: PodEventType, pod: PodInfo) => void, signal: AbortSignal, onSynced?: () => void, from?: PodListing): Promise<void>;
  listNodes(labelSelector?: string): Promise<NodeInfo[]>;
  /** where the API server is reached from the nodes (the `kubernetes` Service's endpoints) */
  apiServerEndpoints(): Promise<{ ip: string; port: number }[]>;

  readWorkload(kind: ScalableKind, namespace: string, name: string): Promise<WorkloadInfo | undefined>;
  /** merge-patches spec.replicas and annotations (a null value removes one); 'not-found' when it is gone */
  patchWorkload(kind: ScalableKind, namespace: string, name: string, change: { replicas?: number; annotations?: Record<string, string | null> }): Promise<'patched' | 'not-found'>;
  listHpas(namespace: string): Promise<HpaInfo[]>;

  readService(namespace: string, name: string): Promise<ServiceInfo | undefined>;
  /**
   * merge-patches a Service: `selector` replaces the whole selector (keys not in it are removed),
   * `ports` replaces the port list, annotations with null are removed. 'not-found' when it is gone.
   */
  patchService(namespace: string, name: string, change: { selector?: Record<string, string>; ports?: V1ServicePort[]; annotations?: Record<string, string | null> }): Promise<'patched' | 'not-found'>;
  /** ready and total endpoints of a Service (its EndpointSlices) */
  serviceEndpoints(namespace: string, name: string): Promise<{ ready: number; total: number }>;

  readNode(name: string): Promise<NodeDetail | undefined>;
  /** merge-patches spec.unschedulable (null removes it) and annotations; 'not-found' when the node is gone */
  patchNode(name: string, change: { unschedulable?: boolean | null; annotations?: Record<string, string | null> }): Promise<'patched' | 'not-found'>;
  /** every pod bound to a node, in every namespace */
  listPodsOnNode(node: string): Promise<PodInfo[]>;
  /** the Eviction API (policy/v1): honours PodDisruptionBudgets; a 429 from a budget is 'blocked', never retried here */
  evictPod(namespace: string, name: string, opts: { uid: string; gracePeriodSeconds?: number }): Promise<EvictionOutcome>;
  listPdbs(namespace: string): Promise<PdbInfo[]>;

  createConfigMap(cm: V1ConfigMap): Promise<void>;
  /** merge-patches `data`; 'not-found' when the ConfigMap is gone */
  patchConfigMapData(namespace: string, name: string, data: Record<string, string>): Promise<'patched' | 'not-found'>;
  getConfigMap(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
  deleteConfigMaps(namespace: string, labelSelector: string): Promise<number>;
  createDaemonSet(ds: V1DaemonSet): Promise<void>;
  listDaemonSets(namespace: string, labelSelector: string): Promise<V1DaemonSet[]>;
  /** deletes every DaemonSet matching the selector (pods go with them); returns how many there were */
  deleteDaemonSets(namespace: string, labelSelector: string): Promise<number>;
}
