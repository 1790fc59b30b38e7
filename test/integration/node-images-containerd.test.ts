/**
 * The node images in a real containerd 1.6 (Debian's, the one the sandbox's nodes run), started here
 * on its own: its own config, root, state and sockets under a temp dir, its own runc root, the
 * containers' cgroups under a parent of this run's own, and containerd itself inside a network
 * namespace of this run's own (like a sandbox node), so the CNI bridge of the CRI pod test is made
 * there. It never uses the sandbox, the host's containerd or the host's network: every container
 * gets a fresh network namespace (no --net-host).
 *
 * Imports every archive from `provision-node.sh images` with `ctr -n k8s.io images import` (what the
 * nodes do), checks the names ctr gives them and that the CRI plugin (what kubelet talks to) lists
 * them, then runs each: CoreDNS answering a query from the shop image's busybox nslookup, the shop
 * serving HTTP inside the image, iptables (nft and legacy) and the node.iptables agent script itself
 * inside the agent image, pause stopping on SIGTERM, and a CRI pod (what kubelet asks for): the
 * pause image as the pod sandbox, the shop as its container, answering on the pod IP.
 *
 * afterAll stops every task, containerd (by pid) and any shim it left, unmounts what is mounted under
 * the temp dir, removes it and the cgroups. Every wait is bounded. A missing tool fails loudly.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cacheDir } from '../../src/adapters/cache-dir.js';
import { COREDNS_VERSION, imageArchivePath, PAUSE_IMAGE, SANDBOX_IMAGES, sandboxImage } from '../../src/sandbox/images.js';

const exec = promisify(execFile);
const cache = cacheDir();
const NS = 'k8s.io';
const agentScript = new URL('../../src/injectors/node-iptables/agent.sh', import.meta.url).pathname;
const crictlBin = join(cache, 'bin', 'crictl');

// short: the socket path must stay under 108 bytes
const dir = mkdtempSync(join(tmpdir(), 'gdctd-'));
const sock = join(dir, 'containerd.sock');
const runcRoot = join(dir, 'runc');
const cgroupParent = `gameday-imgtest-${process.pid}`;
// the network namespace containerd runs in (the "node"); its pods hang off a bridge inside it
const netns = `gdimg-${randomBytes(4).toString('hex')}`;
const POD_SUBNET = '10.244.250.0/24';
let containerd: ChildProcess | undefined;
let containerdExited: Promise<unknown> = Promise.resolve();

function requireTool(name: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'pipe' });
  } catch {
    throw new Error(`${name} is not installed: run \`bash src/sandbox/provision-node.sh apt\``);
  }
}

async function ctr(args: string[], timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec('ctr', ['-a', sock, '-n', NS, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`ctr ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`, { cause: e });
  }
}

/** `ctr run` options every container gets: our runc root and IO fifo dir (not /run/containerd/...), a
 *  cgroup under our parent (relative: below this process's own cgroup) */
const runOpts = (id: string) => ['--runc-root', runcRoot, '--fifo-dir', join(dir, 'fifo'), '--cgroup', `${cgroupParent}/${id}`];

/** a one-shot container: its stdout+stderr (ctr run --rm), bounded */
async function runOnce(image: string, id: string, cmd: string[], extra: string[] = [], timeoutMs = 60_000): Promise<string> {
  const { stdout, stderr } = await ctr(['run', '--rm', ...runOpts(id), ...extra, image, id, ...cmd], timeoutMs);
  return stdout + stderr;
}

async function taskState(id: string): Promise<{ pid: number; status: string } | undefined> {
  const { stdout } = await ctr(['task', 'ls']);
  const row = stdout.split('\n').map((l) => l.trim().split(/\s+/)).find((c) => c[0] === id);
  return row ? { pid: Number(row[1]), status: row[2] ?? '' } : undefined;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function removeTask(id: string): Promise<void> {
  await ctr(['task', 'kill', '-s', 'SIGKILL', id], 10_000).catch(() => {});
  await waitFor(`task ${id} stopped`, async () => (await taskState(id))?.status !== 'RUNNING', 10_000).catch(() => {});
  await ctr(['task', 'rm', '-f', id], 10_000).catch(() => {});
  await ctr(['container', 'rm', id], 10_000).catch(() => {});
}

/** crictl against our containerd; inNode: from inside its network namespace (exec streams come from
 *  containerd's stream server on 127.0.0.1 there, as they do for a kubelet beside it) */
function crictl(args: string[], inNode = false): Promise<{ stdout: string }> {
  const cmd = [crictlBin, '--runtime-endpoint', `unix://${sock}`, '--timeout', '20s', ...args];
  const [file, ...argv] = inNode ? ['nsenter', `--net=/var/run/netns/${netns}`, ...cmd] : cmd;
  return exec(file!, argv, { timeout: 30_000, env: { ...process.env, CRI_CONFIG_FILE: '/dev/null' } });
}

beforeAll(async () => {
  for (const tool of ['containerd', 'ctr', 'runc', 'containerd-shim-runc-v2', 'tar']) requireTool(tool);
  if (!existsSync(crictlBin)) throw new Error(`${crictlBin} is missing: run \`bash src/sandbox/provision-node.sh crictl\``);
  for (const image of SANDBOX_IMAGES) {
    const archive = imageArchivePath(cache, image.key);
    if (!existsSync(archive)) throw new Error(`${archive} is missing: run \`bash src/sandbox/provision-node.sh images\``);
  }
  for (const tool of ['ip', 'nsenter', 'busybox']) requireTool(tool);
  for (const plugin of ['bridge', 'host-local', 'loopback', 'portmap']) {
    if (!existsSync(`/usr/lib/cni/${plugin}`)) throw new Error(`/usr/lib/cni/${plugin} is missing: run \`bash src/sandbox/provision-node.sh apt\``);
  }
  mkdirSync(join(dir, 'cni'));
  // the pod network: a bridge inside our namespace (never the host's), addresses from host-local
  writeFileSync(join(dir, 'cni', '10-gdimg.conflist'), JSON.stringify({
    cniVersion: '0.4.0',
    name: 'gdimg',
    plugins: [
      { type: 'bridge', bridge: 'gdimg0', isGateway: true, ipMasq: false, hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: POD_SUBNET }]], dataDir: join(dir, 'ipam') } },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  }));
  await exec('ip', ['netns', 'add', netns], { timeout: 10_000 });
  await exec('ip', ['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up'], { timeout: 10_000 });
  // Everything under dir. The CRI plugin is on (it is what kubelet uses: its image list must show our
  // refs) with the pause image as its sandbox image, a CNI dir of its own, pod netns under its state
  // dir (not /var/run/netns), its runc root under dir, and restrict_oom_score_adj: this machine does not
  // let even root lower oom_score_adj, and CRI gives every pod sandbox -998 (runc then fails with
  // "can't get final child's PID from pipe: EOF"). A runtimes.runc table needs its runtime_type.
  writeFileSync(join(dir, 'config.toml'), `version = 2
root = "${dir}/root"
state = "${dir}/state"
disabled_plugins = ["io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "${sock}"
[ttrpc]
  address = "${sock}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${dir}/cni"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    Root = "${runcRoot}"
`);
  const log = openSync(join(dir, 'containerd.log'), 'a');
  // nsenter, not `ip netns exec`: the latter also remounts /sys, hiding the cgroup mounts from runc
  // ("no cgroup mount found in mountinfo")
  containerd = spawn('nsenter', [`--net=/var/run/netns/${netns}`, 'containerd', '--config', join(dir, 'config.toml')], { stdio: ['ignore', log, log] });
  containerdExited = new Promise((r) => containerd!.once('exit', r));
  await waitFor('scratch containerd answering', async () => {
    if (containerd!.exitCode !== null) throw new Error(`containerd exited: ${readFileSync(join(dir, 'containerd.log'), 'utf8').slice(-2000)}`);
    return (await ctr(['version'], 5000)).stdout.includes('Server:');
  }, 30_000);
  // import every archive, as a node does
  for (const image of SANDBOX_IMAGES) {
    const { stdout } = await ctr(['images', 'import', imageArchivePath(cache, image.key)], 120_000);
    expect(stdout, `import of ${image.archive}`).toContain(`unpacking ${image.ref} (sha256:`);
  }
});

afterAll(async () => {
  // tasks and containers first (their shims hold mounts), then containerd, then what is left
  if (containerd && containerd.exitCode === null) {
    // CRI pods first: removing them runs CNI DEL (addresses released, veths gone)
    await crictl(['rmp', '-fa']).catch(() => {});
    const { stdout } = await ctr(['container', 'ls', '-q'], 10_000).catch(() => ({ stdout: '' }));
    for (const id of stdout.split('\n').filter(Boolean)) await removeTask(id);
    containerd.kill('SIGTERM');
    const stopped = await Promise.race([containerdExited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
    if (!stopped) containerd.kill('SIGKILL');
  }
  // shims of this containerd (they outlive it by design): found by their -address argument
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd[0]?.endsWith('containerd-shim-runc-v2') && cmd.includes(sock)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(dir + '/'));
  for (const m of mounts.sort((a, b) => b.length - a.length)) await exec('umount', ['-l', m], { timeout: 10_000 }).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  await exec('ip', ['netns', 'del', netns], { timeout: 10_000 }).catch(() => {});
  // our cgroup parent, in every hierarchy it was made in (children first)
  const removeTree = (p: string) => {
    for (const e of readdirSync(p, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(p, e.name));
    try { rmdirSync(p); } catch { /* still busy or gone */ }
  };
  const found = await exec('find', ['/sys/fs/cgroup', '-maxdepth', '6', '-type', 'd', '-name', cgroupParent], { timeout: 10_000 }).catch(() => ({ stdout: '' }));
  for (const p of found.stdout.split('\n').filter(Boolean)) removeTree(p);
});

describe('node images in a scratch containerd 1.6', () => {
  test('ctr names each image from its io.containerd.image.name annotation, and the CRI plugin lists them', async () => {
    const { stdout } = await ctr(['images', 'ls', '-q']);
    // exactly our refs: no "import-<date>:<tag>" fallbacks. (The CRI plugin adds a record named by
    // the config digest, "sha256:…", for every image in the k8s.io namespace: that is its image id.)
    const names = stdout.split('\n').filter(Boolean);
    expect(names.filter((n) => !n.startsWith('sha256:')).sort()).toEqual(SANDBOX_IMAGES.map((i) => i.ref).sort());
    expect(names.filter((n) => n.startsWith('import-'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(cache, 'images', 'manifest.json'), 'utf8')) as { ref: string; digest: string }[];
    const listed = await ctr(['images', 'ls']);
    for (const e of manifest) expect(listed.stdout).toMatch(new RegExp(`^${e.ref.replace(/[.:/]/g, '\\$&')}\\s+\\S+\\s+${e.digest}`, 'm'));
    const cri = JSON.parse((await crictl(['images', '-o', 'json'])).stdout) as { images: { repoTags: string[] }[] };
    expect(cri.images.flatMap((i) => i.repoTags).sort()).toEqual(SANDBOX_IMAGES.map((i) => i.ref).sort());
  });

  test('coredns: /coredns -version', async () => {
    const out = await runOnce(sandboxImage('coredns').ref, 'gd-coredns-version', ['/coredns', '-version']);
    expect(out).toContain(`CoreDNS-${COREDNS_VERSION}`);
  });

  test('coredns answers in its container; the shop image serves HTTP and its busybox resolves and fetches from a neighbour container', async () => {
    const conf = join(dir, 'dns');
    mkdirSync(conf);
    writeFileSync(join(conf, 'Corefile'), `.:53 {
    errors
    hosts {
        10.96.0.42 catalog.shop.svc.cluster.local
    }
}
`);
    const ids = ['gd-dns', 'gd-catalog'];
    try {
      await ctr(['run', '-d', ...runOpts('gd-dns'), '--mount', `type=bind,src=${conf},dst=/etc/coredns,options=rbind:ro`,
        sandboxImage('coredns').ref, 'gd-dns', '/coredns', '-conf', '/etc/coredns/Corefile']);
      const dns = await waitFor('coredns task running', async () => { const t = await taskState('gd-dns'); return t?.status === 'RUNNING' && t; });
      const netns = ['--with-ns', `network:/proc/${dns.pid}/ns/net`];
      // the shop itself, as catalog, in the same network namespace (like two containers of one pod)
      await ctr(['run', '-d', ...runOpts('gd-catalog'), ...netns, '--env', 'SHOP_ROLE=catalog', '--env', 'POD_NAME=catalog-in-ctr',
        sandboxImage('shop').ref, 'gd-catalog']);
      await waitFor('catalog task running', async () => (await taskState('gd-catalog'))?.status === 'RUNNING');
      let last = '';
      const out = await waitFor('nslookup and wget from the shop image', async () => {
        const o = await runOnce(sandboxImage('shop').ref, 'gd-player', ['/bin/sh', '-c',
          // (busybox 1.35's `wget -T` segfaults: bound it with `timeout` instead)
          'nslookup catalog.shop.svc.cluster.local 127.0.0.1 && timeout 5 wget -q -O - http://127.0.0.1:8080/items'], netns).catch((e) => String(e));
        last = o;
        return o.includes('10.96.0.42') && o.includes('catalog-in-ctr') && o;
      }, 30_000).catch((e) => { throw new Error(`${String(e)}\nlast output:\n${last}`); });
      expect(out).toMatch(/Address:\s+10\.96\.0\.42/);
      expect(JSON.parse(out.slice(out.indexOf('{')))).toMatchObject({ pod: 'catalog-in-ctr', role: 'catalog' });
    } finally {
      for (const id of ids) await removeTask(id);
    }
  });

  test('iptables agent image: iptables-nft and iptables-legacy in the container\'s own network namespace', async () => {
    const ref = sandboxImage('iptablesAgent').ref;
    const out = await runOnce(ref, 'gd-ipt', ['/bin/sh', '-c', 'iptables-nft -V && iptables-legacy -V && iptables -w -t filter -S && readlink /proc/1/ns/net'], ['--privileged']);
    expect(out).toContain('iptables v1.8.9 (nf_tables)');
    expect(out).toContain('iptables v1.8.9 (legacy)');
    expect(out).toContain('-P INPUT ACCEPT');
    // not the host's network namespace
    expect(out).toMatch(/net:\[\d+\]/);
    expect(out).not.toContain(readlinkSync('/proc/self/ns/net'));
  });

  test.each(['nft', 'legacy'])('iptables agent image runs agent.sh (%s): applies with comment/statistic/conntrack matches and REJECT, reverts at the deadline', async (backend) => {
    const gd = join(dir, `agent-${backend}`);
    mkdirSync(gd);
    copyFileSync(agentScript, join(gd, 'agent.sh'));
    writeFileSync(join(gd, 'rules'), [
      'INPUT -p tcp --dport 5432 -m conntrack --ctstate NEW -j REJECT --reject-with tcp-reset',
      'OUTPUT -p udp --dport 53 -m statistic --mode random --probability 0.5 -j DROP',
      '',
    ].join('\n'));
    const deadline = Math.floor(Date.now() / 1000) + 5;
    // the agent in the background; the rules while applied; wait for its own revert at the deadline;
    // the rules after; then SIGTERM (its pod being deleted) and its log. All output goes to a file in
    // the mounted dir: ctr may cut a task's last output when its pid 1 exits.
    const script = [
      'exec > /gd/out 2>&1',
      '/bin/sh /gd/agent.sh > /tmp/agent.log 2>&1 & a=$!',
      `i=0; while [ ! -f /tmp/gameday-applied ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done`,
      `echo "== during"; iptables-${backend}-save | grep -e GD- -e GAMEDAY-`,
      `i=0; while ! grep -q 'reverted reason=' /tmp/agent.log && [ $i -lt 150 ]; do sleep 0.1; i=$((i+1)); done`,
      `echo "== after"; iptables-${backend}-save | grep -c -e GD- -e GAMEDAY-`,
      'kill -TERM $a; wait $a; echo "== agent exit $?"; cat /tmp/agent.log; echo "== end"',
    ].join('\n');
    await runOnce(sandboxImage('iptablesAgent').ref, `gd-agent-${backend}`, ['/bin/sh', '-c', script], [
      '--privileged', '--mount', `type=bind,src=${gd},dst=/gd,options=rbind:rw`,
      '--env', 'GAMEDAY_DRILL_ID=imgtest', '--env', 'GAMEDAY_CHAIN=GD-0123abcd', '--env', 'GAMEDAY_RULES_FILE=/gd/rules',
      '--env', `GAMEDAY_DEADLINE=${deadline}`, '--env', 'GAMEDAY_CHECK_SECONDS=1', '--env', `GAMEDAY_IPTABLES=${backend}`,
    ], 60_000);
    const out = readFileSync(join(gd, 'out'), 'utf8');
    expect(out).toContain('== end');
    const during = out.slice(out.indexOf('== during'), out.indexOf('== after'));
    expect(during).toContain('-A GD-0123abcd-IN -p tcp -m tcp --dport 5432 -m conntrack --ctstate NEW -j REJECT --reject-with tcp-reset');
    expect(during).toMatch(/-A GD-0123abcd-OUT -p udp -m udp --dport 53 -m statistic --mode random --probability 0\.5\d* -j DROP/);
    expect(during).toMatch(/-A GAMEDAY-INPUT -m comment --comment "?gameday:imgtest:deadline=\d+"? -j GD-0123abcd-IN/);
    expect(out).toMatch(/== after\n0\n/);
    expect(out).toContain(`applied 2 rules backend=iptables-${backend}`);
    expect(out).toContain('reverted reason=deadline');
    expect(out).toContain('== agent exit 0');
  });

  test('pause: runs as the entrypoint and exits 0 on SIGTERM', async () => {
    const id = 'gd-pause';
    const child = spawn('ctr', ['-a', sock, '-n', NS, 'run', '--rm', ...runOpts(id), PAUSE_IMAGE, id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor('pause running', async () => (await taskState(id))?.status === 'RUNNING');
      await ctr(['task', 'kill', '-s', 'SIGTERM', id]);
      const code = await Promise.race([exited, new Promise<'late'>((r) => setTimeout(() => r('late'), 10_000))]);
      expect(code, output).toBe(0);
      expect(output).toContain('Shutting down, got signal: Terminated');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await removeTask(id);
    }
  });
  test('CRI: a pod with the pause image as its sandbox and the shop as its container answers on the pod IP', async () => {
    const podConfig = join(dir, 'pod.json');
    writeFileSync(podConfig, JSON.stringify({
      metadata: { name: 'catalog-0', namespace: 'shop', uid: `gdimg-${process.pid}`, attempt: 0 },
      log_directory: join(dir, 'pod-logs'),
      linux: { cgroup_parent: cgroupParent },
    }));
    const containerConfig = join(dir, 'container.json');
    writeFileSync(containerConfig, JSON.stringify({
      metadata: { name: 'catalog' },
      image: { image: sandboxImage('shop').ref },
      envs: [{ key: 'SHOP_ROLE', value: 'catalog' }, { key: 'POD_NAME', value: 'catalog-0' }, { key: 'NODE_NAME', value: netns }],
      log_path: 'catalog.log',
      linux: {},
    }));
    const pod = (await crictl(['runp', podConfig])).stdout.trim();
    const info = JSON.parse((await crictl(['inspectp', '-o', 'json', pod])).stdout);
    const ip: string = info.status.network.ip;
    expect(ip).toMatch(/^10\.244\.250\.\d+$/);
    const ctrId = (await crictl(['create', '--no-pull', pod, containerConfig, podConfig])).stdout.trim();
    await crictl(['start', ctrId]);
    // the sandbox process is our pause, as uid 65535 (the image's user)
    const sandboxPid = (await taskState(pod))?.pid;
    expect(readFileSync(`/proc/${sandboxPid}/cmdline`, 'utf8')).toBe('/pause\0');
    expect(readFileSync(`/proc/${sandboxPid}/status`, 'utf8')).toMatch(/^Uid:\s+65535\s/m);
    // from the node's network namespace to the pod IP, over the bridge
    const body = await waitFor('the catalog on the pod IP', async () => {
      const { stdout } = await exec('ip', ['netns', 'exec', netns, 'timeout', '5', 'busybox', 'wget', '-q', '-O', '-', `http://${ip}:8080/items`], { timeout: 10_000 });
      return stdout.includes('"items"') && stdout;
    }, 30_000);
    expect(JSON.parse(body)).toMatchObject({ pod: 'catalog-0', node: netns, role: 'catalog' });
    // kubectl exec's path: the CRI exec stream
    const { stdout } = await crictl(['exec', ctrId, '/bin/sh', '-c', 'ip -4 addr show eth0'], true);
    expect(stdout).toContain(`inet ${ip}/24`);
    await crictl(['stopp', pod]);
    await crictl(['rmp', pod]);
    expect(JSON.parse((await crictl(['pods', '-o', 'json'])).stdout).items).toEqual([]);
  });
});
