/**
 * What runs on the real nodes (pure object builders): CoreDNS behind the kube-dns Service, and the
 * real shop — checkout and catalog as real HTTP servers, checkout calling catalog by its Service
 * name and the database (outside the cluster, in the VPC) by the name `shop-db`. Images are the
 * sandbox's own, imported into each node (pull policy Never: a missing image says so at once
 * instead of trying a registry that cannot be reached).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { shopDeployment, shopLabels } from '../seed-kube.js';
import { CLUSTER_DNS, CLUSTER_DOMAIN, DB_ADDRESS, DB_INSTANCES, DB_PORT, DB_READER_SERVICE, DB_WRITER_SERVICE, REAL_NODE_LABEL, SHOP_NODE_PORT } from './layout.js';

export { SHOP_NODE_PORT } from './layout.js';
export const DB_WRITER_SLICE = 'shop-db-vpc';
export const DB_READER_SLICE = 'shop-db-ro-vpc';
export const REAL_NODE_SELECTOR = { [REAL_NODE_LABEL]: 'true' } as const;
const SYSTEM = 'kube-system';

export function corednsObjects(image: string): KubernetesObject[] {
  const labels = { 'k8s-app': 'kube-dns', 'app.kubernetes.io/managed-by': 'gameday' };
  // no upstream resolver here (no internet): names outside the cluster get a clean NXDOMAIN
  // rather than SERVFAIL ("no next plugin"), as they would from a resolver that knows them not
  const corefile = `${CLUSTER_DOMAIN}:53 in-addr.arpa:53 ip6.arpa:53 {
    errors
    health {
        lameduck 2s
    }
    ready
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        pods insecure
        ttl 5
    }
    cache 5
    loop
    reload
    loadbalance
}
.:53 {
    errors
    template ANY ANY {
        rcode NXDOMAIN
    }
}
`;
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: SYSTEM, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:coredns', labels },
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:coredns', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: SYSTEM }],
    } as KubernetesObject,
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: SYSTEM, labels }, data: { Corefile: corefile } } as KubernetesObject,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: SYSTEM, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'coredns',
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'Default',
            nodeSelector: REAL_NODE_SELECTOR,
            tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
            containers: [
              {
                name: 'coredns',
                image,
                imagePullPolicy: 'Never',
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                ],
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10, failureThreshold: 5 },
                securityContext: { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
                resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '128Mi' } },
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: SYSTEM, labels: { ...labels, 'kubernetes.io/name': 'CoreDNS' } },
      spec: {
        clusterIP: CLUSTER_DNS,
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
      },
    } as KubernetesObject,
  ];
}

export interface ShopApp {
  name: 'checkout' | 'catalog';
  replicas: number;
  port: number;
}

export const REAL_SHOP_APPS: ShopApp[] = [
  { name: 'checkout', replicas: 3, port: 8080 },
  { name: 'catalog', replicas: 2, port: 8080 },
];

/** The real shop's Deployments and Services, and the database as a Service of the VPC address. */
export function realShopObjects(namespace: string, image: string): KubernetesObject[] {
  const objs: KubernetesObject[] = [];
  const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
  for (const app of REAL_SHOP_APPS) {
    const labels = shopLabels(app.name);
    objs.push(
      shopDeployment(namespace, app, {
        nodeSelector: REAL_NODE_SELECTOR,
        containers: [
          {
            name: app.name,
            image,
            imagePullPolicy: 'Never',
            args: [`--role=${app.name}`, `--listen=:${app.port}`],
            env: [
              fieldEnv('POD_NAME', 'metadata.name'),
              fieldEnv('NODE_NAME', 'spec.nodeName'),
              fieldEnv('POD_IP', 'status.podIP'),
              { name: 'CATALOG_URL', value: 'http://catalog/items' },
              { name: 'DB_ADDR', value: `${DB_WRITER_SERVICE}:${DB_PORT}` },
              // checkout holds a connection to the writer and writes an order per request (pg.go)
              { name: 'DB_PROTOCOL', value: 'postgres' },
            ],
            ports: [{ name: 'http', containerPort: app.port }],
            readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 2, failureThreshold: 2 },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, failureThreshold: 3 },
            resources: { requests: { cpu: '20m', memory: '16Mi' }, limits: { memory: '64Mi' } },
          },
        ],
      }),
    );
    objs.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app.name, namespace, labels },
      spec:
        app.name === 'checkout'
          ? // reachable from outside the nodes (the VPC, later the load balancer) on a fixed NodePort
            { type: 'NodePort', selector: { app: app.name }, ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: SHOP_NODE_PORT }] }
          : { selector: { app: app.name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    } as KubernetesObject);
  }
  // the database lives outside the cluster (in the VPC), like RDS: its name resolves straight to its
  // address (a headless Service without selector), so pods connect to 10.20.3.10 itself — no
  // ClusterIP, no DNAT — and a node rule on that address behaves as it would on EKS (a REJECT's
  // reset reaches the client as "connection refused", which it cannot through a DNAT)
  // The RDS cluster's two endpoints: `shop-db` the writer, `shop-db-ro` the readers; the front-door
  // process moves their addresses when the cluster fails over (src/sandbox/edge/rds-follower.ts)
  const dbLabels = { app: 'shop-db', 'app.kubernetes.io/part-of': 'shop' };
  const endpoint = (service: string, slice: string, addresses: string[]): KubernetesObject[] => [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: service, namespace, labels: dbLabels }, spec: { clusterIP: 'None', ports: [{ name: 'postgres', port: DB_PORT, targetPort: DB_PORT }] } } as KubernetesObject,
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: slice, namespace, labels: { ...dbLabels, 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'gameday.dev' } },
      addressType: 'IPv4',
      endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
      ports: [{ name: 'postgres', port: DB_PORT, protocol: 'TCP' }],
    } as KubernetesObject,
  ];
  objs.push(...endpoint(DB_WRITER_SERVICE, DB_WRITER_SLICE, [DB_ADDRESS]), ...endpoint(DB_READER_SERVICE, DB_READER_SLICE, DB_INSTANCES.filter((i) => i.address !== DB_ADDRESS).map((i) => i.address)));
  return objs;
}
