/**
 * `gameday inject node.iptables` as a user runs it (the real CLI, bin/gameday.js) against the
 * sandbox: the DaemonSet lands one pod per node and `gameday halt` removes it with every pod; and a
 * SIGKILL of the CLI mid-inject followed by `gameday halt` (a fresh process, journal only) leaves
 * nothing behind. Each test works in its own state directory; all objects are found by drill label.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kube, withRealNodeNetwork } from '../helpers/sandbox/sandbox.js';

const BIN = resolve('bin/gameday.js');
const NS = 'gameday-system';
const INJECT = ['inject', 'node.iptables', '--env', 'sandbox', '--target', 'nodes=all', '--param', 'preset=dns', '--param', 'action=drop', '--duration', '5m', '--acknowledge-node-impact', '--yes'];

let dir: string;
const env = { ...process.env, NO_COLOR: '1' };
const started: ChildProcess[] = [];
let out = '';

beforeAll(() => {
  if (!existsSync(resolve('dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gd-iptables-cli-'));
  out = '';
});
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const gameday = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 90_000 });
const start = (...args: string[]): ChildProcess => {
  const c = spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(c);
  c.stdout?.on('data', (d) => (out += String(d)));
  c.stderr?.on('data', (d) => (out += String(d)));
  return c;
};
const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}; the CLI said:\n${out}`);
}
const drillId = (): string => {
  const d = join(dir, '.gameday', 'drills');
  const f = existsSync(d) ? readdirSync(d).find((x) => x.includes('node-iptables')) : undefined;
  if (!f) throw new Error(`no journal in ${d}; the CLI said:\n${out}`);
  return f.replace(/\.jsonl$/, '');
};
const journal = (): string => readFileSync(join(dir, '.gameday', 'drills', `${drillId()}.jsonl`), 'utf8');

/** Everything of this drill in gameday-system: DaemonSets, pods, ConfigMaps. */
async function leftovers(drill: string): Promise<string[]> {
  const { core, apps } = await kube();
  const labelSelector = `gameday.dev/drill=${drill}`;
  const [ds, pods, cms] = await Promise.all([
    apps.listNamespacedDaemonSet({ namespace: NS, labelSelector }),
    core.listNamespacedPod({ namespace: NS, labelSelector }),
    core.listNamespacedConfigMap({ namespace: NS, labelSelector }),
  ]);
  return [...ds.items.map((o) => `ds/${o.metadata?.name}`), ...pods.items.map((o) => `pod/${o.metadata?.name}`), ...cms.items.map((o) => `cm/${o.metadata?.name}`)];
}

function halt(): void {
  const h = gameday('halt');
  expect(h.status, h.stdout + h.stderr).toBe(0);
  const c = gameday('halt', '--clear');
  expect(c.status, c.stdout + c.stderr).toBe(0);
}

describe('gameday inject node.iptables on the sandbox (real CLI)', () => {
  it('creates the DaemonSet with one pod per node; gameday halt removes it and every pod', () => withRealNodeNetwork(async () => {
    const r = gameday(...INJECT);
    out = r.stdout + r.stderr;
    // the detached inject starts a deadline keeper: it is ours to stop once halt has reverted
    const keeper = /deadline keeper \(pid (\d+)\)/.exec(out)?.[1];
    try {
      expect(r.status, out).toBe(0);
      const drill = drillId();
      const { core } = await kube();
      // `nodes=all`: the nodes that did not opt out (the real ones; kwok nodes opt out beside them)
      const nodes = (await core.listNode()).items.filter((n) => n.metadata?.labels?.['gameday.dev/enabled'] !== 'false').map((n) => n.metadata!.name!).sort();
      const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: `gameday.dev/drill=${drill}` })).items;
      expect(pods.map((p) => p.spec?.nodeName).sort()).toEqual(nodes);
      expect((await leftovers(drill)).filter((x) => x.startsWith('ds/'))).toHaveLength(1);
      const t0 = Date.now();
      halt();
      console.log(`gameday halt (fresh process) removed the DaemonSet and ${pods.length} pods in ${Date.now() - t0} ms`);
      expect(await leftovers(drill)).toEqual([]);
      expect(journal()).toContain('"fault-reverted"');
    } finally {
      if (keeper) {
        try {
          process.kill(Number(keeper), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }));

  it.each([
    ['right after the intent is journaled', /Intent journaled/, false],
    ['after the DaemonSet was created, while waiting for its pods', /waiting for an agent pod Ready/, true],
  ])('SIGKILL of the CLI %s, then gameday halt: nothing left behind', (_when, marker, created) => withRealNodeNetwork(async () => {
    const c = start(...INJECT);
    await until(() => marker.test(out), `the CLI to print ${marker}`);
    c.kill('SIGKILL');
    await exited(c);
    const drill = drillId();
    expect(journal()).toContain('"fault-intent"');
    expect(journal()).not.toContain('"fault-reverted"');
    if (created) expect((await leftovers(drill)).filter((x) => x.startsWith('ds/'))).toHaveLength(1); // the window was hit
    const t0 = Date.now();
    halt();
    console.log(`halt after SIGKILL (${_when}): ${Date.now() - t0} ms`);
    expect(await leftovers(drill)).toEqual([]);
    // and halting again changes nothing
    const again = gameday('halt');
    expect(again.status).toBe(0);
    expect(gameday('halt', '--clear').status).toBe(0);
    expect(await leftovers(drill)).toEqual([]);
  }));

  const lease = async (drill: string): Promise<number> => {
    const { core } = await kube();
    const cms = (await core.listNamespacedConfigMap({ namespace: NS, labelSelector: `gameday.dev/drill=${drill}` })).items;
    return Number(cms[0]?.data?.['lease-expires-at'] ?? NaN) * 1000;
  };
  const WAIT = [...INJECT.filter((a) => a !== '--yes'), '--yes', '--wait'];

  it('attached (--wait): the lease is short and renewed; Ctrl-C reverts everything', () => withRealNodeNetwork(async () => {
    const c = start(...WAIT);
    await until(() => /Verified .+ \(injected\): ok/.test(out), 'the fault to be active');
    const drill = drillId();
    const first = await lease(drill);
    const deadline = Date.now() + 300_000;
    expect(first).toBeLessThan(deadline - 60_000); // a lease, not the deadline
    await until(async () => (await lease(drill)) > first, 'a lease renewal', 25_000);
    console.log(`lease renewed: +${((await lease(drill)) - first) / 1000}s`);
    c.kill('SIGINT');
    await exited(c);
    expect(out).toContain('reverted');
    expect(await leftovers(drill)).toEqual([]);
  }));

  it("attached, then SIGKILL: renewals stop, so the agents' lease runs out within the TTL (and halt cleans up)", () => withRealNodeNetwork(async () => {
    const c = start(...WAIT);
    await until(() => /Verified .+ \(injected\): ok/.test(out), 'the fault to be active');
    const drill = drillId();
    c.kill('SIGKILL');
    await exited(c);
    const killedAt = Date.now();
    const l = await lease(drill);
    // every agent reverts by itself at l: no later than one TTL (2 min) after the process died
    expect(l).toBeLessThanOrEqual(killedAt + 120_000 + 1_000);
    expect(l).toBeLessThan(killedAt + 300_000 - 60_000);
    halt();
    expect(await leftovers(drill)).toEqual([]);
  }));
});
