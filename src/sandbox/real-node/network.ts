/**
 * The sandbox's own networks (I/O through `ip`): the VPC namespace with its bridge, one namespace
 * per real node linked to it, and the removal of all of them. Every command names a namespace of
 * ours (`ip -n <ns> …`, or a veth created directly inside its namespaces): nothing is added to, or
 * removed from, the host's own network namespace.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { GamedayError } from '../../core/errors.js';
import { DB_INSTANCES, VPC_BRIDGE, VPC_GATEWAY, VPC_PREFIX_LEN, type NetLayout, type RealNodePlan } from './layout.js';

const exec = promisify(execFile);

async function ip(args: string[]): Promise<string> {
  try {
    return (await exec('ip', args, { encoding: 'utf8', timeout: 10_000 })).stdout;
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr?.trim();
    throw new GamedayError('BACKEND_FAILED', `ip ${args.join(' ')}: ${stderr || (e as Error).message}`, {
      hint: 'real sandbox nodes need root, iproute2 and network namespaces (`gameday sandbox up --real-nodes 0` runs without them)',
      cause: e,
    });
  }
}

/** This sandbox's network namespaces that exist now (by name prefix), VPC included. */
export function ourNamespaces(layout: NetLayout): string[] {
  try {
    return readdirSync('/run/netns').filter((n) => n.startsWith(layout.netnsPrefix));
  } catch {
    return [];
  }
}

const exists = (ns: string) => {
  try {
    return readdirSync('/run/netns').includes(ns);
  } catch {
    return false;
  }
};

async function addNamespace(ns: string): Promise<void> {
  if (!exists(ns)) await ip(['netns', 'add', ns]);
  await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
}

/** The VPC namespace: the bridge (the VPC's router), the database instances' addresses, forwarding on. */
export async function ensureVpc(layout: NetLayout): Promise<void> {
  const VPC_NETNS = layout.vpcNetns;
  await addNamespace(VPC_NETNS);
  const links = await ip(['-n', VPC_NETNS, '-o', 'link', 'show']);
  if (!links.includes(`: ${VPC_BRIDGE}:`)) await ip(['-n', VPC_NETNS, 'link', 'add', VPC_BRIDGE, 'type', 'bridge']);
  const addrs = await ip(['-n', VPC_NETNS, '-o', 'addr', 'show', 'dev', VPC_BRIDGE]);
  if (!addrs.includes(` ${VPC_GATEWAY}/`)) await ip(['-n', VPC_NETNS, 'addr', 'add', `${VPC_GATEWAY}/${VPC_PREFIX_LEN}`, 'dev', VPC_BRIDGE]);
  for (const db of DB_INSTANCES) if (!addrs.includes(` ${db.address}/`)) await ip(['-n', VPC_NETNS, 'addr', 'add', `${db.address}/32`, 'dev', VPC_BRIDGE]);
  await ip(['-n', VPC_NETNS, 'link', 'set', VPC_BRIDGE, 'up']);
  await exec('ip', ['netns', 'exec', VPC_NETNS, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.bridge.bridge-nf-call-iptables=0'], { timeout: 10_000 });
}

/** A node's namespace and its link to the VPC bridge; the VPC routes the node's pod CIDR to it. */
export async function addNodeNetwork(layout: NetLayout, n: RealNodePlan): Promise<void> {
  const VPC_NETNS = layout.vpcNetns;
  await addNamespace(n.netns);
  const vpcLinks = await ip(['-n', VPC_NETNS, '-o', 'link', 'show']);
  if (!vpcLinks.includes(`: ${n.veth}@`)) {
    // both ends are created inside their namespaces: the host's namespace never holds either
    await ip(['link', 'add', n.veth, 'netns', VPC_NETNS, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.netns]);
  }
  await ip(['-n', VPC_NETNS, 'link', 'set', n.veth, 'master', VPC_BRIDGE, 'up']);
  const addrs = await ip(['-n', n.netns, '-o', 'addr', 'show', 'dev', 'eth0']);
  if (!addrs.includes(` ${n.ip}/`)) await ip(['-n', n.netns, 'addr', 'add', `${n.ip}/${VPC_PREFIX_LEN}`, 'dev', 'eth0']);
  await ip(['-n', n.netns, 'link', 'set', 'eth0', 'up']);
  await ip(['-n', n.netns, 'route', 'replace', 'default', 'via', VPC_GATEWAY]);
  await ip(['-n', VPC_NETNS, 'route', 'replace', n.podCidr, 'via', n.ip]);
}

/** Deletes a namespace of ours (its links go with it). Missing = already deleted. */
export async function deleteNamespace(layout: NetLayout, ns: string): Promise<void> {
  if (!ns.startsWith(layout.netnsPrefix)) throw new GamedayError('INTERNAL', `refusing to delete network namespace ${ns}: not the sandbox's`);
  if (exists(ns)) await ip(['netns', 'del', ns]);
}
