/**
 * Real sandbox nodes (I/O): the VPC namespace and its relays, each node's files and credentials,
 * its init process, and their removal. Used by sandbox.ts (`up`, `status`, `down`).
 *
 * Order of `up`: VPC namespace + relays (before the API server answers: the egress socket it dials
 * and the address nodes use must exist) → per node: namespace + link, certificates, configs, init
 * (containerd → images → kubelet + kube-proxy) → Ready. `down` reverses it and checks: processes
 * (by cgroup), namespaces (by name prefix), cgroups — nothing of ours may be left.
 */
import { pidAlive } from '../../adapters/env-lock.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GamedayError } from '../../core/errors.js';
import { pkiFiles } from '../components.js';
import { renderKubeconfig } from '../kubeconfig.js';
import type { SandboxPaths } from '../paths.js';
import { CLIENT_CERT_EXTENSIONS, issueCertificate, SERVER_CERT_EXTENSIONS } from '../pki.js';
import { isRunning, spawnDetached, tail, type ProcessRecord } from '../supervisor.js';
import { sleep } from '../../core/clock.js';
import { killAndRemoveCgroups, nodeCgroups, nodeProcesses } from './cgroups.js';
import { cniConflist, containerdConfig, kubeletConfig, kubeProxyConfig, nodeResolvConf } from './configs.js';
import { DB_ADDRESS, DB_PORT, netLayout, nodeFiles, REAL_NODE_LABEL, relaySockets, VPC_GATEWAY, type RealNodePlan } from './layout.js';
import { addNodeNetwork, deleteNamespace, ensureVpc, ourNamespaces } from './network.js';

const here = dirname(fileURLToPath(import.meta.url));
/** the same relative path from src/ and dist/ (package.json "files" ships src/sandbox/real-node/*.sh|mjs) */
const asset = (name: string) => join(here, '..', '..', '..', 'src', 'sandbox', 'real-node', name);
export const RELAY_SCRIPT = asset('relay.mjs');
export const NODE_INIT_SCRIPT = asset('node-init.sh');

export interface VpcProcesses {
  hostRelay?: ProcessRecord;
  vpcRelay?: ProcessRecord;
  /** the TCP stand-in of issue 9 (kept for states written before the RDS instances existed) */
  database?: ProcessRecord;
  /** the RDS cluster's instances: PostgreSQL servers (src/sandbox/db/postgres.ts), by instance id */
  databases?: Record<string, ProcessRecord>;
  /** the front door (src/sandbox/edge): started by sandbox.ts once the VPC relay's CONNECT socket exists */
  frontDoor?: ProcessRecord;
}

export interface RealNodeRecord {
  plan: RealNodePlan;
  process?: ProcessRecord;
}

/**
 * The VPC namespace, the relays joining it to the host — the API server for nodes and pods, the
 * API server's way to the kubelets, the front door's way to the instances (a CONNECT socket dialled
 * in the VPC: the front door on the host picks the instance as the load balancer would) — and the
 * database stand-in.
 */
export async function startVpc(p: SandboxPaths, opts: { apiPort: number; shopBinary?: string }): Promise<VpcProcesses> {
  const layout = netLayout(p.state);
  const VPC_NETNS = layout.vpcNetns;
  await ensureVpc(layout);
  const sockets = relaySockets(p.state);
  mkdirSync(dirname(sockets.api), { recursive: true });
  const logs = join(p.logs);
  const out: VpcProcesses = {};
  out.hostRelay = spawnDetached(
    {
      name: 'relay-host',
      command: process.execPath,
      args: [RELAY_SCRIPT, '--listen', `unix:${sockets.api}`, '--to', `tcp:127.0.0.1:${opts.apiPort}`],
      runs: RELAY_SCRIPT,
    },
    logs,
  );
  out.vpcRelay = spawnDetached(
    {
      name: 'relay-vpc',
      command: 'ip',
      args: [
        'netns', 'exec', VPC_NETNS, process.execPath, RELAY_SCRIPT,
        '--listen', `tcp:${VPC_GATEWAY}:${opts.apiPort}`, '--to', `unix:${sockets.api}`,
        '--connect-proxy', `unix:${sockets.egress}`,
        '--connect-proxy', `unix:${sockets.front}`,
      ],
      runs: RELAY_SCRIPT,
    },
    logs,
  );
  if (opts.shopBinary && existsSync(opts.shopBinary)) {
    out.database = spawnDetached(
      {
        name: 'database',
        command: 'ip',
        args: ['netns', 'exec', VPC_NETNS, opts.shopBinary, '--role=db', `--listen=${DB_ADDRESS}:${DB_PORT}`],
        env: { SHOP_DB_NAME: 'shop-db-1' },
        runs: opts.shopBinary,
      },
      logs,
    );
  }
  // the relays must be listening before anyone dials: their sockets appear when they are
  for (let i = 0; i < 100 && !(existsSync(sockets.api) && existsSync(sockets.egress) && existsSync(sockets.front)); i++) {
    for (const rec of [out.hostRelay, out.vpcRelay]) {
      // the pid, not the command line: right after the spawn, `ip netns exec` may not have exec'd node yet
      if (!pidAlive(rec.pid)) throw new GamedayError('BACKEND_FAILED', `${rec.name} exited during start-up: ${tail(rec.log, 3)}`, { hint: `read ${rec.log}` });
    }
    await sleep(100);
  }
  if (!existsSync(sockets.api) || !existsSync(sockets.egress) || !existsSync(sockets.front)) throw new GamedayError('BACKEND_FAILED', 'the VPC relays did not open their sockets within 10 s', { hint: `read ${join(logs, 'relay-vpc.log')}` });
  return out;
}

/** Writes a node's certificates, kubeconfigs and configuration files. */
export async function prepareRealNode(p: SandboxPaths, n: RealNodePlan, opts: { apiPort: number; pauseImage: string; providerId?: string }): Promise<void> {
  const f = nodeFiles(n.dir);
  const ca = pkiFiles(p.pki);
  for (const d of [dirname(f.containerd), f.cniDir, f.pki, n.logs]) mkdirSync(d, { recursive: true });
  const cert = (name: string) => ({ key: join(f.pki, `${name}.key`), cert: join(f.pki, `${name}.crt`) });
  const kubelet = cert('kubelet-client');
  const serving = cert('kubelet-serving');
  const proxy = cert('kube-proxy');
  if (!existsSync(kubelet.cert)) await issueCertificate(ca, { ...kubelet, subject: `/O=system:nodes/CN=system:node:${n.name}`, extensions: CLIENT_CERT_EXTENSIONS });
  if (!existsSync(serving.cert)) await issueCertificate(ca, { ...serving, subject: `/CN=${n.name}`, extensions: [`subjectAltName=IP:${n.ip},DNS:${n.name}`, ...SERVER_CERT_EXTENSIONS] });
  if (!existsSync(proxy.cert)) await issueCertificate(ca, { ...proxy, subject: '/CN=system:kube-proxy', extensions: CLIENT_CERT_EXTENSIONS });
  const server = `https://${VPC_GATEWAY}:${opts.apiPort}`;
  const caPem = readFileSync(ca.caCert, 'utf8');
  const kubeconfig = (c: { key: string; cert: string }, name: string) =>
    renderKubeconfig({ server, caPem, clientCertPem: readFileSync(c.cert, 'utf8'), clientKeyPem: readFileSync(c.key, 'utf8'), name });
  writeFileSync(f.kubeletKubeconfig, kubeconfig(kubelet, n.name), { mode: 0o600 });
  writeFileSync(f.kubeProxyKubeconfig, kubeconfig(proxy, 'kube-proxy'), { mode: 0o600 });
  writeFileSync(f.containerd, containerdConfig(n, opts.pauseImage));
  writeFileSync(f.cniConf, cniConflist(n));
  writeFileSync(f.kubelet, kubeletConfig(n, { caFile: ca.caCert, certFile: serving.cert, keyFile: serving.key, providerId: opts.providerId }));
  writeFileSync(f.kubeProxy, kubeProxyConfig(n));
  writeFileSync(f.resolvConf, nodeResolvConf());
}

export function nodeLabels(n: RealNodePlan, region: string): string {
  return [
    `${REAL_NODE_LABEL}=true`,
    'gameday.dev/sandbox-node=true',
    `topology.kubernetes.io/region=${region}`,
    `topology.kubernetes.io/zone=${n.zone}`,
    'node.kubernetes.io/instance-type=m5.large',
  ].join(',');
}

/** Starts a node's init in its namespaces: `unshare` gives it mounts and a hostname of its own. */
export async function startRealNode(p: SandboxPaths, n: RealNodePlan, opts: { images: { ref: string; archive: string }[]; region: string }): Promise<ProcessRecord> {
  await addNodeNetwork(netLayout(p.state), n);
  return spawnDetached(
    {
      name: 'node-init',
      command: 'unshare',
      args: ['--mount', '--uts', '--propagation', 'slave', 'nsenter', `--net=/run/netns/${n.netns}`, 'bash', NODE_INIT_SCRIPT],
      env: {
        GAMEDAY_NODE_NAME: n.name,
        GAMEDAY_NODE_DIR: n.dir,
        GAMEDAY_NODE_LOGS: n.logs,
        GAMEDAY_BIN: p.bin,
        GAMEDAY_CGROUP: n.cgroup,
        GAMEDAY_NODE_IP: n.ip,
        GAMEDAY_NODE_LABELS: nodeLabels(n, opts.region),
        GAMEDAY_IMAGES: opts.images.map((i) => `${i.ref}=${i.archive}`).join(' '),
      },
      runs: NODE_INIT_SCRIPT,
    },
    n.logs,
  );
}

/** SIGTERM to the node's init only (it stops its pods, kubelet and containerd in order), then the cgroup sweep. */
export async function stopRealNode(p: SandboxPaths, n: RealNodeRecord, graceMs = 30_000): Promise<void> {
  const rec = n.process;
  if (rec && isRunning(rec)) {
    try {
      process.kill(rec.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    const until = Date.now() + graceMs;
    while (Date.now() < until && isRunning(rec)) await sleep(200);
  }
  const { left } = await killAndRemoveCgroups(n.plan.cgroup);
  await deleteNamespace(netLayout(p.state), n.plan.netns);
  if (left.length) throw new GamedayError('BACKEND_FAILED', `could not remove the cgroups of ${n.plan.name}: ${left.join(', ')}`);
}

/** Everything of this sandbox's, found by its marks (after a crash the state file may be gone). */
export async function removeRealNodeLeftovers(p: SandboxPaths): Promise<{ processes: number; namespaces: string[]; cgroupsLeft: string[] }> {
  const layout = netLayout(p.state);
  const { killed, left } = await killAndRemoveCgroups(layout.cgroupRoot);
  const namespaces = ourNamespaces(layout);
  for (const ns of namespaces) await deleteNamespace(layout, ns);
  return { processes: killed, namespaces, cgroupsLeft: left };
}

/** What `down` checks: nothing of this sandbox's left (processes in its cgroups, its namespaces, its cgroups). */
export function realNodeLeftovers(p: SandboxPaths): { processes: number[]; namespaces: string[]; cgroups: string[] } {
  const layout = netLayout(p.state);
  return { processes: nodeProcesses(layout.cgroupRoot), namespaces: ourNamespaces(layout), cgroups: nodeCgroups(layout.cgroupRoot) };
}
