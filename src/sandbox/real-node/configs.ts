/**
 * The configuration files of a real sandbox node and of the API server's egress (pure renderers).
 * JSON is valid YAML, so kubelet and kube-proxy read these as written.
 */
import { CLUSTER_CIDR, CLUSTER_DNS, CLUSTER_DOMAIN, KUBELET_PORT, nodeFiles, type RealNodePlan } from './layout.js';

/** CNI plugins from Debian's containernetworking-plugins. */
export const CNI_BIN_DIR = '/usr/lib/cni';
export const CNI_NETWORK = 'gameday-pods';
export const POD_BRIDGE = 'cni0';

export function containerdConfig(n: RealNodePlan, pauseImage: string): string {
  const f = nodeFiles(n.dir);
  // root/state are the standard paths: /var/lib and /run are the node's own (node-init.sh)
  return `# containerd of sandbox node ${n.name} (written by gameday)
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "/run/containerd/containerd.sock"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${pauseImage}"
  # pods' network namespaces live under the node's private /run, so they vanish with the node
  netns_mounts_under_state_dir = true
  # a sandbox may run without CAP_SYS_RESOURCE (this VM's root has none): kubelet's negative scores
  # for system pods (-998 for sandboxes) would make runc fail; never go below containerd's own
  restrict_oom_score_adj = true
  enable_unprivileged_ports = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CNI_BIN_DIR}"
    conf_dir = "${f.cniDir}"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ""
`;
}

/** bridge + host-local + portmap, the pods' default route through the bridge; no masquerade inside the VPC. */
export function cniConflist(n: RealNodePlan): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: CNI_NETWORK,
      plugins: [
        {
          type: 'bridge',
          bridge: POD_BRIDGE,
          isGateway: true,
          // pods reach the VPC (the database, other nodes' pods) with their own addresses: the VPC
          // router knows every node's pod CIDR
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: n.podCidr, gateway: n.podGateway }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: '/var/lib/cni/networks' },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export function kubeletConfig(n: RealNodePlan, opts: { caFile: string; certFile: string; keyFile: string; maxPods?: number; providerId?: string }): string {
  const f = nodeFiles(n.dir);
  return `${JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: n.ip,
      // the node's EC2 instance (aws.ec2-* faults map nodes to instances through it)
      ...(opts.providerId ? { providerID: opts.providerId } : {}),
      port: KUBELET_PORT,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: 10248,
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: opts.caFile } },
      authorization: { mode: 'Webhook' },
      tlsCertFile: opts.certFile,
      tlsPrivateKeyFile: opts.keyFile,
      containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
      cgroupDriver: 'cgroupfs',
      // the node's pods live under its own cgroup, beside node-init's (found and removed by `down`)
      cgroupRoot: `/${n.cgroup}`,
      cgroupsPerQOS: true,
      enforceNodeAllocatable: ['pods'],
      failSwapOn: false,
      clusterDNS: [CLUSTER_DNS],
      clusterDomain: CLUSTER_DOMAIN,
      resolvConf: f.resolvConf,
      podLogsDir: '/var/log/pods',
      maxPods: opts.maxPods ?? 40,
      serializeImagePulls: false,
      // never garbage-collect the imported images: there is no registry to pull them back from
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      evictionHard: { 'memory.available': '50Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
      // a practice node on a shared machine: report quickly, never evict for pressure on the host's disk
      nodeStatusUpdateFrequency: '5s',
      nodeStatusReportFrequency: '1m',
      syncFrequency: '10s',
      fileCheckFrequency: '10s',
      // the lease of node.iptables is a mounted ConfigMap key: refresh it promptly
      configMapAndSecretChangeDetectionStrategy: 'Watch',
      rotateCertificates: false,
      serverTLSBootstrap: false,
      protectKernelDefaults: false,
      localStorageCapacityIsolation: true,
      staticPodPath: '',
      shutdownGracePeriod: '0s',
      containerLogMaxSize: '5Mi',
      containerLogMaxFiles: 2,
      failCgroupV1: false,
    },
    null,
    2,
  )}\n`;
}

export function kubeProxyConfig(n: RealNodePlan): string {
  const f = nodeFiles(n.dir);
  return `${JSON.stringify(
    {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      clientConnection: { kubeconfig: f.kubeProxyKubeconfig, qps: 20, burst: 40 },
      mode: 'iptables',
      hostnameOverride: n.name,
      // leave its own OOM score alone (lowering it needs CAP_SYS_RESOURCE, which a sandbox may lack)
      oomScoreAdj: 0,
      bindAddress: n.ip,
      clusterCIDR: CLUSTER_CIDR,
      healthzBindAddress: '127.0.0.1:10256',
      metricsBindAddress: '127.0.0.1:10249',
      // global kernel settings are the host's: leave nf_conntrack_max and the timeouts alone
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
      iptables: { syncPeriod: '10s', minSyncPeriod: '0s', masqueradeAll: false },
      nodePortAddresses: ['primary'],
    },
    null,
    2,
  )}\n`;
}

/** The node's resolv.conf (pods with dnsPolicy Default, and CoreDNS's upstream): the VPC resolver. */
export const nodeResolvConf = (): string => '# gameday sandbox node: no upstream resolver (no internet here)\nnameserver 10.20.0.2\noptions ndots:1\n';

/** The API server's egress: traffic to nodes, pods and services through the VPC relay's CONNECT proxy. */
export function egressSelectorConfig(udsPath: string): string {
  return `${JSON.stringify(
    {
      apiVersion: 'apiserver.k8s.io/v1beta1',
      kind: 'EgressSelectorConfiguration',
      egressSelections: [{ name: 'cluster', connection: { proxyProtocol: 'HTTPConnect', transport: { uds: { udsName: udsPath } } } }],
    },
    null,
    2,
  )}\n`;
}
