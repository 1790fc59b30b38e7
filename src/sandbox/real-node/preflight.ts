/**
 * What real nodes need from this machine, checked before anything is created: one line naming the
 * first missing piece and how to get it (`gameday sandbox up` exits 3 with it, leaving nothing).
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { GamedayError } from '../../core/errors.js';
import { imageArchivePath, SANDBOX_IMAGES } from '../images.js';
import type { SandboxPaths } from '../paths.js';
import { CNI_BIN_DIR } from './configs.js';

const onPath = (cmd: string): boolean => (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).some((d) => existsSync(join(d, cmd)));

const writable = (path: string): boolean => {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/** Every unmet requirement, as `what: how to fix it` (pure apart from reading the machine). */
export function realNodeRequirements(p: SandboxPaths): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root: real nodes create network namespaces, mounts and cgroups (run as root, or `--real-nodes 0`)');
  for (const cmd of ['ip', 'unshare', 'nsenter', 'iptables', 'containerd', 'ctr', 'containerd-shim-runc-v2', 'runc']) {
    if (!onPath(cmd)) missing.push(`${cmd}: not on PATH (\`gameday sandbox provision\` installs it with apt-get)`);
  }
  for (const plugin of ['bridge', 'host-local', 'portmap', 'loopback']) {
    if (!existsSync(join(CNI_BIN_DIR, plugin))) missing.push(`CNI plugin ${plugin}: not in ${CNI_BIN_DIR} (apt-get install containernetworking-plugins)`);
  }
  for (const bin of ['kubelet', 'kube-proxy', 'crictl', 'shop']) {
    if (!existsSync(join(p.bin, bin))) missing.push(`${bin}: not built in ${p.bin} (\`gameday sandbox provision\`)`);
  }
  for (const image of SANDBOX_IMAGES) {
    if (!existsSync(imageArchivePath(p.cache, image.key))) missing.push(`image ${image.ref}: no archive at ${imageArchivePath(p.cache, image.key)} (\`gameday sandbox provision\`)`);
  }
  if (!existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) missing.push('kernel feature br_netfilter: /proc/sys/net/bridge is missing (modprobe br_netfilter)');
  if (!existsSync('/proc/self/ns/net')) missing.push('kernel feature network namespaces: /proc/self/ns/net is missing');
  let filesystems = '';
  try {
    filesystems = readFileSync('/proc/filesystems', 'utf8');
  } catch {
    /* reported below */
  }
  if (!/\toverlay$/m.test(filesystems)) missing.push('kernel feature overlayfs: not in /proc/filesystems (modprobe overlay)');
  if (!writable('/sys/fs/cgroup/pids')) missing.push('cgroups: /sys/fs/cgroup/pids is not a writable cgroup v1 hierarchy');
  return missing;
}

export function realNodePreflight(p: SandboxPaths): void {
  const missing = realNodeRequirements(p);
  if (missing.length === 0) return;
  throw new GamedayError('BACKEND_FAILED', `real sandbox nodes cannot start here: ${missing[0]}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}`, {
    hint: missing.length > 1 ? `also: ${missing.slice(1).join('; ')}` : '`gameday sandbox up --real-nodes 0` starts the sandbox with simulated nodes only',
  });
}
