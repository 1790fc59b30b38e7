/**
 * The sandbox's own lifecycle, on a private cache (its binaries linked from the real one) so the
 * shared sandbox is never touched: interrupting `up` leaves no process behind, a component that
 * cannot start fails `up` with its name and log, `up` twice reuses, `down` stops everything.
 * With a real node: `down` removes every namespace, cgroup, mount and process it made (checked),
 * `up` after a SIGKILL of everything rebuilds, and a node component that cannot start fails `up`
 * naming the node, the component and its log, leaving nothing behind.
 */
import { databaseLeftovers, dbRoot } from '../../src/sandbox/db/postgres.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isGamedayError } from '../../src/core/errors.js';
import { sandboxPaths } from '../../src/sandbox/paths.js';
import { netLayout } from '../../src/sandbox/real-node/layout.js';
import { realNodeLeftovers } from '../../src/sandbox/real-node/nodes.js';
import { sandboxDown, sandboxStatus, sandboxUp } from '../../src/sandbox/sandbox.js';

const REAL = sandboxPaths();
const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok', 'kubelet', 'kube-proxy', 'crictl', 'shop', 'coredns'];
let cache: string;

function privateCache(overrides: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'gd-sandbox-cache-'));
  mkdirSync(join(dir, 'bin'));
  for (const b of BINARIES) {
    if (overrides[b]) {
      writeFileSync(join(dir, 'bin', b), overrides[b], { mode: 0o755 });
    } else symlinkSync(join(REAL.bin, b), join(dir, 'bin', b));
  }
  symlinkSync(REAL.venv, join(dir, 'venv'));
  // the AWS CLI is one of the artefacts `up` needs: without it, up would provision it (~90 s) first
  symlinkSync(join(REAL.cache, 'awscli'), join(dir, 'awscli'));
  symlinkSync(join(REAL.cache, 'images'), join(dir, 'images'));
  return dir;
}

/**
 * Pods on both real nodes, and a checkout pod on one answered by a catalog pod on the other: the
 * VPC routes each node's pod CIDR, CoreDNS (on one node) answers the other's pods.
 */
async function crossNodeTraffic(kubeconfig: string): Promise<void> {
  const kubectl = (...args: string[]) => spawnSync(join(REAL.bin, 'kubectl'), ['--kubeconfig', kubeconfig, '--context', 'gameday-sandbox', '-n', 'shop', ...args], { encoding: 'utf8', timeout: 30_000 });
  for (const app of ['checkout', 'catalog']) expect(kubectl('scale', `deploy/${app}`, '--replicas=6').status).toBe(0);
  const pods = (): { name: string; app: string; node: string; ready: boolean }[] =>
    (JSON.parse(kubectl('get', 'pods', '-o', 'json').stdout || '{"items":[]}') as { items: { metadata: { name: string; labels: Record<string, string> }; spec: { nodeName?: string }; status: { conditions?: { type: string; status: string }[] } }[] }).items.map((p) => ({
      name: p.metadata.name,
      app: p.metadata.labels.app ?? '',
      node: p.spec.nodeName ?? '',
      ready: p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
    }));
  const until = Date.now() + 120_000;
  let ready = pods();
  while (Date.now() < until && !(['sandbox-real-1', 'sandbox-real-2'].every((n) => ready.some((p) => p.ready && p.node === n && p.app === 'checkout')) && ready.filter((p) => p.app === 'catalog' && p.ready).length === 6)) {
    await new Promise((r) => setTimeout(r, 1000));
    ready = pods();
  }
  const checkout = ready.find((p) => p.app === 'checkout' && p.ready && p.node === 'sandbox-real-2');
  expect(checkout, JSON.stringify(ready)).toBeDefined();
  const catalogNodes = new Set(ready.filter((p) => p.app === 'catalog' && p.ready).map((p) => p.node));
  expect(catalogNodes.has('sandbox-real-1'), JSON.stringify(ready)).toBe(true);
  // the Service picks a catalog pod at random: ask until one on the other node answers (bounded)
  let across = '';
  for (let i = 0; i < 30 && !across; i++) {
    const r = kubectl('exec', checkout!.name, '--', '/bin/busybox', 'timeout', '8', '/bin/busybox', 'wget', '-qO-', 'http://127.0.0.1:8080/checkout');
    const body = JSON.parse(r.stdout || '{}') as { ok?: boolean; node?: string; catalog?: { servedBy?: { node?: string } }; db?: { ok?: boolean } };
    expect(body.ok, r.stdout + r.stderr).toBe(true);
    expect(body.db?.ok).toBe(true);
    if (body.catalog?.servedBy?.node === 'sandbox-real-1') across = `${body.node} → catalog on ${body.catalog.servedBy.node}`;
  }
  expect(across).toBe('sandbox-real-2 → catalog on sandbox-real-1');
}

/** Everything a sandbox with real nodes could leave: processes, namespaces, cgroups, mounts. */
function leftovers(dir: string): string[] {
  const p = sandboxPaths(dir);
  const left = realNodeLeftovers(p);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(dir) || l.includes(netLayout(p.state).netnsPrefix));
  const db = [...databaseLeftovers(p).map((pid) => `database process ${pid}`), ...(existsSync(dbRoot(p)) ? [`directory ${dbRoot(p)}`] : [])];
  return [...processesUnder(dir).map((pid) => `process ${pid}`), ...db, ...left.processes.map((pid) => `cgroup process ${pid}`), ...left.namespaces.map((n) => `netns ${n}`), ...left.cgroups.map((c) => `cgroup ${c}`), ...mounts.map((m) => `mount ${m}`)];
}

/** pids of live processes whose command line mentions dir */
function processesUnder(dir: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(dir)) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

beforeAll(() => {
  cache = privateCache();
});
afterAll(async () => {
  await sandboxDown({ cache }).catch(() => undefined);
  rmSync(cache, { recursive: true, force: true });
});

describe('sandbox lifecycle (private cache)', () => {
  test('interrupting `up` while the API server starts stops everything it started', async () => {
    const abort = new AbortController();
    const seen: string[] = [];
    const up = sandboxUp({
      cache,
      nodes: 1,
      realNodes: 0,
      signal: abort.signal,
      onProgress: (m) => {
        seen.push(m);
        if (m.startsWith('starting kube-apiserver')) abort.abort();
      },
    });
    const err = await up.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isGamedayError(err) && err.code).toBe('INTERRUPTED');
    expect(seen.some((m) => m.startsWith('starting etcd'))).toBe(true);
    expect(processesUnder(cache)).toEqual([]);
    expect(existsSync(sandboxPaths(cache).stateFile)).toBe(false);
  });

  test('a component that cannot start fails `up` with its name, its log and the log tail; nothing is left running', async () => {
    const broken = privateCache({ 'kube-scheduler': '#!/bin/sh\necho "simulated: unknown flag --foo" >&2\nexit 1\n' });
    try {
      const err = await sandboxUp({ cache: broken, nodes: 1, realNodes: 0 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isGamedayError(err) && err.code).toBe('BACKEND_FAILED');
      const message = (err as Error).message;
      expect(message).toContain('kube-scheduler did not start');
      expect(message).toContain(join(broken, 'sandbox', 'logs', 'kube-scheduler.log'));
      expect(message).toContain('simulated: unknown flag --foo');
      expect(processesUnder(broken)).toEqual([]);
    } finally {
      await sandboxDown({ cache: broken });
      rmSync(broken, { recursive: true, force: true });
    }
  });

  test('up starts, up again reuses, status is healthy, down stops every process and removes the state', async () => {
    const first = await sandboxUp({ cache, nodes: 1, realNodes: 0 });
    expect(first.reused).toBe(false);
    expect(first.info.kubeconfig).toBe(join(cache, 'sandbox', 'kubeconfig'));
    const pids = processesUnder(cache);
    expect(pids.length).toBeGreaterThanOrEqual(6);
    const second = await sandboxUp({ cache, nodes: 1, realNodes: 0 });
    expect(second.reused).toBe(true);
    expect(second.seconds).toBeLessThan(10);
    expect(second.info.apiServer).toBe(first.info.apiServer);
    const st = await sandboxStatus({ cache });
    expect(st.healthy).toBe(true);
    expect(st.kube).toMatchObject({ nodes: 1, nodesReady: 1, checkoutReady: '3/3', catalogReady: '2/2' });
    const down = await sandboxDown({ cache });
    expect(down.stopped).toHaveLength(6);
    expect(processesUnder(cache)).toEqual([]);
    expect(existsSync(join(cache, 'sandbox'))).toBe(false);
  });

  test('two real nodes: pods talk across nodes; SIGKILL of everything, up rebuilds; down leaves no process, namespace, cgroup or mount', async () => {
    const first = await sandboxUp({ cache, nodes: 1, realNodes: 2 });
    expect(first.info.realNodes).toEqual(['sandbox-real-1', 'sandbox-real-2']);
    const st = await sandboxStatus({ cache });
    expect(st.healthy).toBe(true);
    expect(st.kube).toMatchObject({ realNodes: 2, realNodesReady: 2, checkoutReady: '3/3', dnsReady: '1/1' });
    await crossNodeTraffic(first.info.kubeconfig);
    // everything dies at once, the way a crashed laptop or `kill -9 -1` would leave it
    const layout = netLayout(sandboxPaths(cache).state);
    const all = [...processesUnder(cache), ...realNodeLeftovers(sandboxPaths(cache)).processes, ...databaseLeftovers(sandboxPaths(cache))];
    expect(all.length).toBeGreaterThan(10);
    for (const pid of all) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    const t0 = Date.now();
    const again = await sandboxUp({ cache, nodes: 1, realNodes: 2 });
    console.log(`up after SIGKILL of everything: rebuilt in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(again.reused).toBe(false);
    expect((await sandboxStatus({ cache })).kube).toMatchObject({ realNodesReady: 2, checkoutReady: '3/3' });
    const down = await sandboxDown({ cache });
    expect(down.stopped.filter((s) => s.startsWith('node sandbox-real-')).length).toBe(2);
    expect(leftovers(cache)).toEqual([]);
    expect(existsSync(`/run/netns/${layout.vpcNetns}`)).toBe(false);
  }, 600_000);

  test('a node component that cannot start: up fails naming the node, the component and its log; nothing is left', async () => {
    const broken = privateCache({ kubelet: '#!/bin/sh\necho "simulated: kubelet cannot start" >&2\nexit 1\n' });
    try {
      const err = await sandboxUp({ cache: broken, nodes: 1, realNodes: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isGamedayError(err) && err.code).toBe('BACKEND_FAILED');
      const message = (err as Error).message;
      expect(message).toContain('real node sandbox-real-1 stopped during start-up');
      expect(message).toContain('kubelet exited (status 1)');
      expect(message).toContain(join(broken, 'sandbox', 'logs', 'sandbox-real-1', 'kubelet.log'));
      expect(leftovers(broken)).toEqual([]);
    } finally {
      await sandboxDown({ cache: broken });
      rmSync(broken, { recursive: true, force: true });
    }
  }, 300_000);

  test('--real-nodes out of range, and a machine without what real nodes need: one line, nothing started', async () => {
    await expect(sandboxUp({ cache, realNodes: 9 })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('--real-nodes must be a whole number from 0 to 4') });
    const bare = privateCache();
    rmSync(join(bare, 'bin', 'kubelet'));
    try {
      await expect(sandboxUp({ cache: bare, realNodes: 1, provision: false })).rejects.toMatchObject({ code: 'BACKEND_FAILED', message: expect.stringMatching(/^real sandbox nodes cannot start here: kubelet: not built/) });
      expect(leftovers(bare)).toEqual([]);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
