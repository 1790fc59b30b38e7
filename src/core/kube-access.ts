/**
 * Least-privilege Kubernetes RBAC for drills. Each injector (and the drill engine, for its lease
 * and probes) declares the API access it needs as `KubeAccess` rules; `renderRbac` folds them into
 * the manifests a platform team applies once — a ServiceAccount for unattended drills (a CronJob,
 * a CI job's token) with Roles only in the namespaces the scenarios touch and a ClusterRole only
 * for what is cluster-scoped. `gameday rbac` prints them. Pure: no I/O.
 *
 * RBAC cannot see labels, so a Role allows more than the guards do (every pod of a namespace):
 * the opt-in label, protected namespaces and caps still decide what a drill touches.
 */
import { TOOLKIT_NAMESPACE } from './environment.js';

export interface KubeAccess {
  /** undefined: cluster-scoped resources (a ClusterRole) */
  namespace?: string;
  /** '' for the core group */
  apiGroup: string;
  resource: string;
  verbs: string[];
  /** limit to these objects (not possible for create/list/watch: RBAC ignores names there) */
  resourceNames?: string[];
  /** why, for the comment in the manifest */
  why: string;
}

export interface RbacOptions {
  serviceAccount: string;
  /** where the ServiceAccount lives (the toolkit's namespace) */
  namespace?: string;
}

/** What every drill needs in the cluster: the environment's Lease in the toolkit namespace (one drill at a time). */
export const DRILL_LEASE_ACCESS: KubeAccess[] = [
  { namespace: TOOLKIT_NAMESPACE, apiGroup: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'create', 'update', 'delete'], why: 'the environment lock: one drill at a time' },
];

/** What a drill in the cluster needs besides its scenario's access: the journal, claims and halt flag (ConfigMaps in gameday-system). */
export const CLUSTER_JOURNAL_ACCESS: KubeAccess[] = [
  { namespace: TOOLKIT_NAMESPACE, apiGroup: '', resource: 'configmaps', verbs: ['create', 'delete', 'get', 'list', 'update'], why: 'the cluster journal, fault claims and halt flag (journal: cluster)' },
];

type Obj = Record<string, unknown>;

const LABELS = { 'app.kubernetes.io/managed-by': 'gameday', 'app.kubernetes.io/part-of': 'gameday' };

/** Rules with the same scope, group, resource and names are merged; verbs are sorted and unique. */
export function mergeAccess(accesses: KubeAccess[]): KubeAccess[] {
  const byKey = new Map<string, KubeAccess>();
  for (const a of accesses) {
    const names = a.resourceNames ? [...new Set(a.resourceNames)].sort() : undefined;
    const key = JSON.stringify([a.namespace ?? '', a.apiGroup, a.resource, names ?? null]);
    const had = byKey.get(key);
    if (had) {
      had.verbs = [...new Set([...had.verbs, ...a.verbs])].sort();
      if (!had.why.split('; ').includes(a.why)) had.why = `${had.why}; ${a.why}`;
    } else {
      byKey.set(key, { ...a, verbs: [...new Set(a.verbs)].sort(), ...(names ? { resourceNames: names } : {}) });
    }
  }
  // then rules that differ only in the objects they name become one rule naming them all
  const byVerbs = new Map<string, KubeAccess>();
  for (const a of byKey.values()) {
    const key = JSON.stringify([a.namespace ?? '', a.apiGroup, a.resource, a.verbs, Boolean(a.resourceNames)]);
    const had = a.resourceNames ? byVerbs.get(key) : undefined;
    if (had) {
      had.resourceNames = [...new Set([...had.resourceNames!, ...a.resourceNames!])].sort();
      if (!had.why.split('; ').includes(a.why)) had.why = `${had.why}; ${a.why}`;
    } else byVerbs.set(a.resourceNames ? key : `${key}#${byVerbs.size}`, a);
  }
  return [...byVerbs.values()].sort((x, y) => (x.namespace ?? '').localeCompare(y.namespace ?? '') || x.apiGroup.localeCompare(y.apiGroup) || x.resource.localeCompare(y.resource));
}

const rule = (a: KubeAccess): Obj => ({ apiGroups: [a.apiGroup], resources: [a.resource], ...(a.resourceNames ? { resourceNames: a.resourceNames } : {}), verbs: a.verbs });

/**
 * The manifests, in apply order: the toolkit namespace (privileged Pod Security, for the node
 * agent), the ServiceAccount, a ClusterRole + binding when anything is cluster-scoped, and a Role +
 * RoleBinding per namespace. Each object carries the reasons as an annotation.
 */
export function renderRbac(accesses: KubeAccess[], opts: RbacOptions): Obj[] {
  const saNamespace = opts.namespace ?? TOOLKIT_NAMESPACE;
  const name = opts.serviceAccount;
  const merged = mergeAccess(accesses);
  const subject = { kind: 'ServiceAccount', name, namespace: saNamespace };
  const why = (rules: KubeAccess[]) => ({ 'gameday.dev/why': rules.map((r) => `${r.resource}: ${r.why}`).join('\n') });
  const out: Obj[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      // the node.iptables agent is a privileged hostNetwork pod: Pod Security must allow it here, and only here
      metadata: { name: saNamespace, labels: { ...LABELS, 'pod-security.kubernetes.io/enforce': 'privileged' } },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: saNamespace, labels: LABELS } },
  ];
  const cluster = merged.filter((a) => a.namespace === undefined);
  if (cluster.length) {
    out.push(
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels: LABELS, annotations: why(cluster) }, rules: cluster.map(rule) },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name, labels: LABELS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [subject] },
    );
  }
  const namespaces = [...new Set(merged.flatMap((a) => (a.namespace === undefined ? [] : [a.namespace])))];
  for (const ns of namespaces) {
    const rules = merged.filter((a) => a.namespace === ns);
    out.push(
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns, labels: LABELS, annotations: why(rules) }, rules: rules.map(rule) },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: ns, labels: LABELS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [subject] },
    );
  }
  return out;
}
