/**
 * Where the sandbox's real nodes live (pure): names of the network namespaces and links it owns,
 * the addresses inside them, the node directories. Nothing here touches the host's own network:
 *
 *   host netns (untouched): control plane on 127.0.0.1, api relay on a unix socket
 *        │ unix sockets (files: not scoped by network namespace)
 *   VPC netns  gameday-sbx-<id>-vpc: bridge gd-vpc0 10.20.0.1/16 (the VPC router), the API relay on
 *        │                      10.20.0.1:<apiserver port>, the egress CONNECT proxy, the database
 *        │ veth gdv-<i> ⇄ eth0
 *   node netns gameday-sbx-<id>-<node>: eth0 = the node's EC2 private IP (10.20.1.x/16), default via
 *                                  10.20.0.1; CNI bridge cni0 with the node's pod CIDR 10.246.<i>.0/24
 *
 * Every name starts with a prefix of ours, so `down` (and `up` after a crash) finds leftovers by
 * their mark, never by position.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export const NETNS_PREFIX = 'gameday-sbx-';
export const VPC_BRIDGE = 'gd-vpc0';
export const VETH_PREFIX = 'gdv-';
export const VPC_CIDR = '10.20.0.0/16';
export const VPC_PREFIX_LEN = 16;
/** the VPC router: what nodes route through, where they reach the API server */
export const VPC_GATEWAY = '10.20.0.1';
/** the database stand-in's address (a "DB subnet" of the VPC, outside the cluster): shop-db-1's */
export const DB_ADDRESS = '10.20.3.10';
export const DB_PORT = 5432;
/**
 * The RDS cluster shop-db's instances, each a PostgreSQL server at its own VPC address. The cluster's
 * writer endpoint is the Service `shop-db`, its reader endpoint `shop-db-ro` (headless, their
 * EndpointSlices follow the cluster's writer in the local AWS endpoint: src/sandbox/edge/rds-follower.ts).
 */
export const DB_INSTANCES: readonly { id: string; address: string }[] = [
  { id: 'shop-db-1', address: DB_ADDRESS },
  { id: 'shop-db-2', address: '10.20.3.11' },
];
export const DB_WRITER_SERVICE = 'shop-db';
export const DB_READER_SERVICE = 'shop-db-ro';
/** pods of real nodes: one /24 per node (kwok's simulated pods use 10.244.0.0/16) */
export const CLUSTER_CIDR = '10.246.0.0/16';
export const CLUSTER_DNS = '10.96.0.10';
export const CLUSTER_DOMAIN = 'cluster.local';
/** the cgroup (relative to each hierarchy's root) under which every sandbox keeps its real nodes */
export const CGROUP_ROOT = 'gameday-sandbox';

/**
 * The marks of one sandbox (one state directory): a second sandbox on the machine — a test's
 * private one — gets other namespace names and another cgroup, so neither can sweep the other's.
 * The addresses inside the namespaces may be the same: each VPC is a namespace of its own.
 */
export interface NetLayout {
  /** 6 hex digits derived from the state directory */
  instance: string;
  netnsPrefix: string;
  vpcNetns: string;
  /** relative to each cgroup hierarchy's root */
  cgroupRoot: string;
}

export function netLayout(stateDir: string): NetLayout {
  const instance = createHash('sha256').update(stateDir).digest('hex').slice(0, 6);
  const netnsPrefix = `${NETNS_PREFIX}${instance}-`;
  return { instance, netnsPrefix, vpcNetns: `${netnsPrefix}vpc`, cgroupRoot: `${CGROUP_ROOT}/${instance}` };
}
export const REAL_NODE_PREFIX = 'sandbox-real';
export const REAL_NODE_LABEL = 'gameday.dev/real-node';
export const MAX_REAL_NODES = 4;
export const DEFAULT_REAL_NODES = 1;
export const KUBELET_PORT = 10250;

export interface RealNodePlan {
  name: string;
  /** 1-based */
  index: number;
  zone: string;
  /** eth0's address: the node's EC2 instance private IP (its InternalIP) */
  ip: string;
  podCidr: string;
  /** the pod bridge's address: the pods' gateway */
  podGateway: string;
  netns: string;
  /** the VPC-side end of the node's link */
  veth: string;
  /** relative to each cgroup hierarchy's root */
  cgroup: string;
  dir: string;
  /** the node's logs (containerd, kubelet, kube-proxy, its init): beside the sandbox's, kept after a failed start */
  logs: string;
}

export const realNodeName = (i: number): string => `${REAL_NODE_PREFIX}-${i}`;

export function planRealNode(opts: { index: number; zone: string; ip: string; stateDir: string }): RealNodePlan {
  const name = realNodeName(opts.index);
  const layout = netLayout(opts.stateDir);
  return {
    name,
    index: opts.index,
    zone: opts.zone,
    ip: opts.ip,
    podCidr: `10.246.${opts.index}.0/24`,
    podGateway: `10.246.${opts.index}.1`,
    netns: `${layout.netnsPrefix}${name}`,
    veth: `${VETH_PREFIX}${opts.index}`,
    cgroup: `${layout.cgroupRoot}/${name}`,
    dir: join(opts.stateDir, 'nodes', name),
    logs: join(opts.stateDir, 'logs', name),
  };
}

/** Files of one node directory (the host path; the same path inside the node). */
export const nodeFiles = (dir: string) => ({
  containerd: join(dir, 'etc', 'containerd.toml'),
  kubelet: join(dir, 'etc', 'kubelet.yaml'),
  kubeletKubeconfig: join(dir, 'etc', 'kubelet.kubeconfig'),
  kubeProxy: join(dir, 'etc', 'kube-proxy.yaml'),
  kubeProxyKubeconfig: join(dir, 'etc', 'kube-proxy.kubeconfig'),
  cniDir: join(dir, 'etc', 'cni', 'net.d'),
  cniConf: join(dir, 'etc', 'cni', 'net.d', '10-gameday.conflist'),
  resolvConf: join(dir, 'etc', 'resolv.conf'),
  pki: join(dir, 'pki'),
});

/** Unix sockets joining the host and the VPC namespace (paths are limited to 107 bytes). */
export const relaySockets = (stateDir: string) => ({ api: join(stateDir, 'net', 'api.sock'), egress: join(stateDir, 'net', 'egress.sock'), front: join(stateDir, 'net', 'front.sock') });

/** checkout's NodePort on every node: the target group's instances are registered on it (seed-aws.ts) */
export const SHOP_NODE_PORT = 30080;

/** The shop's public name: in the sandbox it resolves to the front door on 127.0.0.1 (environment `resolve`). */
export const SHOP_HOST = 'www.shop.example';
