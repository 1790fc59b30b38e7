/**
 * Pure builders of the objects the `node.iptables` fault creates in gameday-system: one ConfigMap
 * (agent script, rules, lease) and one privileged hostNetwork DaemonSet pinned to the target
 * nodes. Everything carries `gameday.dev/drill=<drillId>` and `gameday.dev/fault=<faultId>`;
 * revert finds them by those labels, never by name alone.
 *
 * The lease is a key of the ConfigMap, mounted as a file: the kubelet refreshes mounted ConfigMaps
 * by itself, so the agent needs no API access, no token and no RBAC, and the API path it depends
 * on is the kubelet's own (kept open by the rules). Kubelet propagation takes up to about a minute,
 * so the lease TTL must be longer than that (default 2 minutes).
 */
import type { V1ConfigMap, V1DaemonSet } from '@kubernetes/client-node';
import { DRILL_LABEL, MANAGED_BY_LABEL, TOOLKIT_NAMESPACE } from '../../core/environment.js';

/**
 * Default agent image: Kubernetes' own debian-iptables build image (the base of kube-proxy's
 * image): Debian bookworm with /bin/sh, coreutils, and both iptables-nft and iptables-legacy, so
 * the agent can use whichever the node uses. Override with the `image` param or GAMEDAY_IPTABLES_IMAGE.
 */
export const DEFAULT_AGENT_IMAGE = 'registry.k8s.io/build-image/debian-iptables:bookworm-v1.0.0';
export const FAULT_LABEL = 'gameday.dev/fault';
export const MOUNT = '/etc/gameday';
export const LEASE_KEY = 'lease-expires-at';
export const STATE_FILE = '/tmp/gameday-applied';

export interface AgentObjects {
  namespace: string;
  name: string;
  drillId: string;
  faultId: string;
  nodes: string[];
  chain: string;
  rulesFile: string;
  agentScript: string;
  image: string;
  /** epoch ms */
  deadline: number;
  /** epoch ms the lease runs to at creation */
  leaseUntil: number;
  backend: 'auto' | 'nft' | 'legacy';
}

/** A label value from any id: lower case, [a-z0-9._-], at most 63, starting and ending alphanumeric. */
export const labelValue = (s: string): string =>
  s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').slice(0, 63).replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'x';

export const objectLabels = (drillId: string, faultId: string): Record<string, string> => ({
  [DRILL_LABEL]: labelValue(drillId),
  [FAULT_LABEL]: labelValue(faultId),
  [MANAGED_BY_LABEL]: 'gameday',
  'app.kubernetes.io/name': 'gameday-iptables-agent',
});

/** The selector revert uses: drill and fault labels. */
export const selectorFor = (drillId: string, faultId: string): string => `${DRILL_LABEL}=${labelValue(drillId)},${FAULT_LABEL}=${labelValue(faultId)}`;

export const secondsOf = (ms: number): string => String(Math.floor(ms / 1000));

export function agentConfigMap(o: AgentObjects): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: o.name, namespace: o.namespace, labels: objectLabels(o.drillId, o.faultId) },
    data: { 'agent.sh': o.agentScript, rules: o.rulesFile, [LEASE_KEY]: secondsOf(o.leaseUntil) },
  };
}

export function agentDaemonSet(o: AgentObjects): V1DaemonSet {
  const labels = objectLabels(o.drillId, o.faultId);
  const match = { [DRILL_LABEL]: labels[DRILL_LABEL]!, [FAULT_LABEL]: labels[FAULT_LABEL]! };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: o.name, namespace: o.namespace, labels, annotations: { 'gameday.dev/deadline': new Date(o.deadline).toISOString(), 'gameday.dev/chain': o.chain } },
    spec: {
      selector: { matchLabels: match },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 30,
          // land on tainted nodes too: the node list below is the only placement rule
          tolerations: [{ operator: 'Exists' }],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                // the API server allows one value per metadata.name field term: one term per node (terms OR)
                nodeSelectorTerms: o.nodes.map((n) => ({ matchFields: [{ key: 'metadata.name', operator: 'In', values: [n] }] })),
              },
            },
          },
          containers: [
            {
              name: 'agent',
              image: o.image,
              command: ['/bin/sh', `${MOUNT}/agent.sh`],
              env: [
                { name: 'GAMEDAY_DRILL_ID', value: labelValue(o.drillId) },
                { name: 'GAMEDAY_CHAIN', value: o.chain },
                { name: 'GAMEDAY_RULES_FILE', value: `${MOUNT}/rules` },
                { name: 'GAMEDAY_DEADLINE', value: secondsOf(o.deadline) },
                { name: 'GAMEDAY_LEASE_FILE', value: `${MOUNT}/${LEASE_KEY}` },
                { name: 'GAMEDAY_CHECK_SECONDS', value: '2' },
                { name: 'GAMEDAY_IPTABLES', value: o.backend },
                { name: 'GAMEDAY_STATE_FILE', value: STATE_FILE },
              ],
              securityContext: { privileged: true },
              readinessProbe: { exec: { command: ['cat', STATE_FILE] }, periodSeconds: 2, failureThreshold: 1 },
              resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
              volumeMounts: [{ name: 'gameday', mountPath: MOUNT, readOnly: true }],
            },
          ],
          volumes: [{ name: 'gameday', configMap: { name: o.name, defaultMode: 0o555 } }],
        },
      },
    },
  };
}

export { TOOLKIT_NAMESPACE };
