/**
 * The sandbox's processes and their command lines (pure: no I/O). Every listener binds to
 * 127.0.0.1 on a port chosen at `up`; nothing listens on a wildcard address.
 */
import { join } from 'node:path';
import { binary, motoServerBin, type SandboxPaths } from './paths.js';

export const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'moto'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiServer: number;
  controllerManager: number;
  scheduler: number;
  moto: number;
  /** the shop's front door on 127.0.0.1 (to the real nodes' NodePort); only with real nodes */
  frontDoor?: number;
}

export interface Pki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
  proxyCert: string;
  proxyKey: string;
}

export const pkiFiles = (dir: string): Pki => ({
  caCert: join(dir, 'ca.crt'),
  caKey: join(dir, 'ca.key'),
  serverCert: join(dir, 'apiserver.crt'),
  serverKey: join(dir, 'apiserver.key'),
  adminCert: join(dir, 'admin.crt'),
  adminKey: join(dir, 'admin.key'),
  saKey: join(dir, 'sa.key'),
  saPub: join(dir, 'sa.pub'),
  proxyCert: join(dir, 'front-proxy-client.crt'),
  proxyKey: join(dir, 'front-proxy-client.key'),
});

export interface ComponentSpec {
  name: ComponentName;
  command: string;
  args: string[];
  /** what `status` checks; https checks use the sandbox CA and admin client cert */
  health: { kind: 'http'; url: string } | { kind: 'https'; url: string } | { kind: 'process' };
  /** extra environment */
  env?: Record<string, string>;
}

export const HOST = '127.0.0.1';
export const SERVICE_CIDR = '10.96.0.0/16';

/**
 * The API server's flags for real nodes beside the kwok ones: kubelets authenticate as nodes
 * (Node authorizer + NodeRestriction), the API server reaches them (exec, logs, port-forward)
 * through the VPC relay's CONNECT proxy, and pods find it through the `kubernetes` Service at the
 * VPC router's address, where the relay listens on the same port.
 */
export function realNodeApiServerArgs(p: SandboxPaths, advertiseAddress: string): string[] {
  const pki = pkiFiles(p.pki);
  return [
    `--advertise-address=${advertiseAddress}`,
    '--endpoint-reconciler-type=lease',
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    `--egress-selector-config-file=${join(p.state, 'egress-selector.json')}`,
    `--kubelet-client-certificate=${pki.adminCert}`,
    `--kubelet-client-key=${pki.adminKey}`,
    '--kubelet-preferred-address-types=InternalIP,Hostname',
  ];
}

/** Replaces each `--flag=` of `base` that `extra` sets, and adds the others. */
function withFlags(base: string[], extra: string[]): string[] {
  const key = (a: string) => a.split('=')[0];
  const overridden = new Set(extra.map(key));
  return [...base.filter((a) => !overridden.has(key(a))), ...extra];
}

export function componentSpecs(p: SandboxPaths, ports: Ports, opts: { realNodes?: { advertiseAddress: string } } = {}): Record<ComponentName, ComponentSpec> {
  const pki = pkiFiles(p.pki);
  const etcdUrl = `http://${HOST}:${ports.etcdClient}`;
  const peerUrl = `http://${HOST}:${ports.etcdPeer}`;
  const kc = p.kubeconfig;
  // controller-manager and scheduler serve their own health endpoints with self-signed certs
  const delegated = (certDir: string) => [
    `--kubeconfig=${kc}`,
    `--authentication-kubeconfig=${kc}`,
    `--authorization-kubeconfig=${kc}`,
    '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
    `--bind-address=${HOST}`,
    `--cert-dir=${certDir}`,
    '--leader-elect=false',
  ];
  return {
    etcd: {
      name: 'etcd',
      command: binary(p, 'etcd'),
      args: [
        '--name=gameday-sandbox',
        `--data-dir=${p.etcdData}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=gameday-sandbox=${peerUrl}`,
        '--listen-metrics-urls=',
        '--auto-compaction-retention=1',
        '--quota-backend-bytes=2147483648',
        // a practice cluster: trade durability for speed on a busy laptop
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      health: { kind: 'http', url: `${etcdUrl}/health` },
    },
    'kube-apiserver': {
      name: 'kube-apiserver',
      command: binary(p, 'kube-apiserver'),
      args: withFlags([
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=${HOST}`,
        `--advertise-address=${HOST}`,
        `--secure-port=${ports.apiServer}`,
        `--tls-cert-file=${pki.serverCert}`,
        `--tls-private-key-file=${pki.serverKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--authorization-mode=RBAC',
        // the aggregation layer's front-proxy settings (controllers read them; unset = an error a minute)
        `--requestheader-client-ca-file=${pki.caCert}`,
        '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${pki.proxyCert}`,
        `--proxy-client-key-file=${pki.proxyKey}`,
        '--allow-privileged=true',
        // shortened for drills (says the README): pods leave a NotReady/unreachable node after 30 s
        // (the DefaultTolerationSeconds admission default is 300 s)
        '--default-not-ready-toleration-seconds=30',
        '--default-unreachable-toleration-seconds=30',
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // no real kubelets or aggregated APIs here
        '--endpoint-reconciler-type=none',
        '--enable-priority-and-fairness=false',
        '--profiling=false',
        `--cert-dir=${join(p.state, 'certs', 'apiserver')}`,
        '--v=1',
      ], opts.realNodes ? realNodeApiServerArgs(p, opts.realNodes.advertiseAddress) : []),
      health: { kind: 'https', url: `https://${HOST}:${ports.apiServer}/readyz` },
    },
    'kube-controller-manager': {
      name: 'kube-controller-manager',
      command: binary(p, 'kube-controller-manager'),
      args: [
        ...delegated(join(p.state, 'certs', 'controller-manager')),
        `--secure-port=${ports.controllerManager}`,
        `--service-account-private-key-file=${pki.saKey}`,
        `--root-ca-file=${pki.caCert}`,
        '--use-service-account-credentials=false',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--allocate-node-cidrs=false',
        // shortened for drills (says the README): a stopped node is NotReady after 20 s (default
        // 50 s), checked every 2 s (default 5 s); kwok's heartbeat (stages.ts) stays well inside it
        '--node-monitor-grace-period=20s',
        '--node-monitor-period=2s',
        '--concurrent-deployment-syncs=5',
        '--concurrent-replicaset-syncs=5',
        '--kube-api-qps=100',
        '--kube-api-burst=200',
        '--v=1',
      ],
      health: { kind: 'https', url: `https://${HOST}:${ports.controllerManager}/healthz` },
    },
    'kube-scheduler': {
      name: 'kube-scheduler',
      command: binary(p, 'kube-scheduler'),
      args: [...delegated(join(p.state, 'certs', 'scheduler')), `--secure-port=${ports.scheduler}`, '--v=1'],
      health: { kind: 'https', url: `https://${HOST}:${ports.scheduler}/healthz` },
    },
    kwok: {
      name: 'kwok',
      command: binary(p, 'kwok'),
      args: [
        `--kubeconfig=${kc}`,
        `--config=${p.kwokConfig}`,
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--node-lease-duration-seconds=40',
        '--cidr=10.244.0.0/16',
      ],
      health: { kind: 'process' },
    },
    moto: {
      name: 'moto',
      command: motoServerBin(p),
      args: ['-H', HOST, '-p', String(ports.moto)],
      health: { kind: 'http', url: `http://${HOST}:${ports.moto}/moto-api/` },
    },
  };
}
