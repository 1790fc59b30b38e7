/**
 * The sandbox's Kubernetes side: the kwok Node objects (created by us, labelled, untainted, each
 * pointing at its EC2 instance through spec.providerID) and the demo world — namespace `shop`
 * (opt-in label) with Deployments `checkout` (3) and `catalog` (2) and their Services, and the
 * toolkit's own namespace `gameday-system`. Create-if-absent: existing objects are left as they are,
 * so a second `up` never undoes what a drill is doing.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { TOOLKIT_NAMESPACE } from '../core/environment.js';
import type { NodeRef } from './seed-aws.js';

export const SHOP_NAMESPACE = 'shop';
/** the simulated shop on the kwok nodes when the real shop runs on real nodes (for scale tests) */
export const SIM_SHOP_NAMESPACE = 'shop-sim';
export const OPT_IN_LABEL = { key: 'gameday.dev/enabled', value: 'true' } as const;
export const SANDBOX_NODE_LABEL = 'gameday.dev/sandbox-node';
/** read by the node-initialize stage: the node's InternalIP (its EC2 instance's private IP) */
export const INTERNAL_IP_ANNOTATION = 'gameday.dev/internal-ip';
export const DEMO_APPS = [
  { name: 'checkout', replicas: 3, port: 8080 },
  { name: 'catalog', replicas: 2, port: 8080 },
] as const;

/**
 * The Node objects kwok will manage (pure). With real nodes beside them, `optedOut` labels them
 * out of node-level faults (the opt-in key set to false): a drill's `nodes: all` means the nodes
 * that can really break.
 */
export function nodeObjects(nodes: NodeRef[], instances: Record<string, string> = {}, region = 'us-east-1', privateIps: Record<string, string> = {}, optedOut = false): KubernetesObject[] {
  return nodes.map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'm5.large',
        'topology.kubernetes.io/region': region,
        'topology.kubernetes.io/zone': n.zone,
        type: 'kwok',
        [SANDBOX_NODE_LABEL]: 'true',
        ...(optedOut ? { [OPT_IN_LABEL.key]: 'false' } : {}),
      },
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0', ...(privateIps[n.name] ? { [INTERNAL_IP_ANNOTATION]: privateIps[n.name] } : {}) },
    },
    spec: instances[n.name] ? { providerID: `aws:///${n.zone}/${instances[n.name]}` } : {},
  })) as KubernetesObject[];
}

/**
 * Namespaces, Deployments and Services of the demo world (pure). The simulated shop (kwok pods)
 * goes to `simNamespace`: `shop` itself when the sandbox has no real nodes, else `shop-sim`.
 */
export function worldObjects(simNamespace: string = SHOP_NAMESPACE): KubernetesObject[] {
  const shopNs = (name: string): KubernetesObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [OPT_IN_LABEL.key]: OPT_IN_LABEL.value, 'app.kubernetes.io/part-of': 'shop' } } });
  const objs: KubernetesObject[] = [
    shopNs(SHOP_NAMESPACE),
    ...(simNamespace !== SHOP_NAMESPACE ? [shopNs(simNamespace)] : []),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: TOOLKIT_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'gameday' } } },
  ];
  for (const app of DEMO_APPS) {
    const labels = shopLabels(app.name);
    objs.push(
      shopDeployment(simNamespace, app, {
        // beside real nodes, simulated pods stay on the simulated nodes
        ...(simNamespace !== SHOP_NAMESPACE ? { nodeSelector: { type: 'kwok' } } : {}),
        containers: [
          {
            name: app.name,
            image: `ghcr.io/gameday-demo/${app.name}:1.0.0`,
            ports: [{ name: 'http', containerPort: app.port }],
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
            resources: { requests: { cpu: '50m', memory: '64Mi' } },
          },
        ],
      }),
    );
    objs.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app.name, namespace: simNamespace, labels },
      spec: { selector: { app: app.name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    } as KubernetesObject);
  }
  return objs;
}

export const shopLabels = (name: string): Record<string, string> => ({ app: name, 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'shop' });

/** A shop Deployment (simulated or real): the same labels, strategy and grace period; the pod spec is the caller's. */
export function shopDeployment(namespace: string, app: { name: string; replicas: number }, pod: Record<string, unknown>): KubernetesObject {
  const labels = shopLabels(app.name);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app.name, namespace, labels },
    spec: {
      replicas: app.replicas,
      selector: { matchLabels: { app: app.name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
      template: { metadata: { labels }, spec: { terminationGracePeriodSeconds: 5, ...pod } },
    },
  } as KubernetesObject;
}

/** Creates each object unless it exists. Returns the names it created. */
export async function ensureObjects(kc: KubeConfig, objects: KubernetesObject[]): Promise<string[]> {
  const k8s = await import('@kubernetes/client-node');
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  const created: string[] = [];
  for (const obj of objects) {
    const header = { apiVersion: obj.apiVersion ?? 'v1', kind: obj.kind ?? '', metadata: { name: obj.metadata?.name ?? '', namespace: obj.metadata?.namespace } };
    try {
      await api.read(header);
      continue;
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
    try {
      await api.create(obj);
      created.push(`${obj.kind}/${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name}`);
    } catch (e) {
      if ((e as { code?: number }).code !== 409) throw e; // created meanwhile
    }
  }
  return created;
}
