/**
 * node.iptables on the sandbox's real node, through the real CLI and the real DaemonSet: each
 * preset breaks exactly the traffic it names — DNS from a pod, TCP to the database's port, the
 * NodePort from outside the node — while other traffic still flows; and after `gameday halt`,
 * after the deadline, and after the facilitator is SIGKILLed (the lease lapses) the traffic flows
 * again and the node's iptables hold none of our chains.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { firstRealNode, fromVpc, gamedayChainsOnNode, kubectl, viaFrontDoor } from '../helpers/sandbox/real-node.js';
import { kube, sandbox, waitUntil, withRealNodeNetwork } from '../helpers/sandbox/sandbox.js';

const BIN = resolve('bin/gameday.js');
let dir: string;
const children: ChildProcess[] = [];
const keepers: number[] = [];

beforeAll(() => {
  if (!existsSync(resolve('dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'gd-iptables-real-'));
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of keepers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  gameday('halt');
  gameday('halt', '--clear');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = () => ({ ...process.env, NO_COLOR: '1' });
const gameday = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: env(), encoding: 'utf8', timeout: 180_000 });

/** `gameday inject node.iptables …` detached (its deadline keeper noted so the test can stop it). */
function inject(params: string[], duration = '5m'): void {
  const r = gameday('inject', 'node.iptables', '--env', 'sandbox', '--target', 'nodes=all', ...params.flatMap((p) => ['--param', p]), '--duration', duration, '--acknowledge-node-impact', '--yes');
  const keeper = /Deadline keeper \(pid (\d+)\)/.exec(r.stdout + r.stderr)?.[1];
  if (keeper) keepers.push(Number(keeper));
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(r.stdout + r.stderr).toMatch(/Ready on 1\/1 node/);
}

function halt(): void {
  const h = gameday('halt');
  expect(h.status, h.stdout + h.stderr).toBe(0);
  expect(gameday('halt', '--clear').status).toBe(0);
}

const lookup = () => kubectl(['-n', 'shop', 'exec', 'deploy/checkout', '--', '/bin/busybox', 'timeout', '8', '/bin/busybox', 'nslookup', 'catalog.shop.svc.cluster.local'], 30_000);
const catalogByIp = async () => {
  const { core } = await kube();
  const ip = (await core.readNamespacedService({ name: 'catalog', namespace: 'shop' })).spec?.clusterIP;
  return kubectl(['-n', 'shop', 'exec', 'deploy/checkout', '--', '/bin/busybox', 'timeout', '5', '/bin/busybox', 'wget', '-qO-', `http://${ip}/items`], 30_000);
};
const nodePortFromVpc = () => fromVpc(['busybox', 'timeout', '3', 'busybox', 'wget', '-qO-', `http://${sandbox().world!.privateIps[firstRealNode()]}:30080/checkout`], 15_000);
const checkout = async () => viaFrontDoor('/checkout', 10_000);

/** The shop is whole again and no chain of ours is left on the node. */
async function flowsAgain(): Promise<void> {
  await waitUntil('DNS from a pod to work', async () => lookup().status === 0, 90_000, 1000);
  await waitUntil('checkout to answer 200', async () => {
    const r = await checkout();
    return 'status' in r && r.status === 200;
  }, 60_000, 1000);
  // one try of 3 s failed once in CI at load 18 right after the front door's 200: a few tries, bounded
  await waitUntil('the NodePort to answer from the VPC', async () => nodePortFromVpc().status === 0, 30_000, 1000);
  expect(gamedayChainsOnNode()).toEqual([]);
}

describe('node.iptables on a real node (real CLI, real DaemonSet, real kernel rules)', () => {
  it('preset dns, drop: lookups from pods fail, traffic by IP still flows; gameday halt restores it', () => withRealNodeNetwork(async () => {
    await flowsAgain();
    inject(['preset=dns', 'action=drop']);
    expect(gamedayChainsOnNode().length).toBeGreaterThan(0);
    const failed = lookup();
    expect(failed.status, failed.stdout).not.toBe(0);
    const byIp = await catalogByIp();
    expect(byIp.status, byIp.stderr).toBe(0);
    expect(byIp.stdout).toContain('"pod"');
    const res = await checkout();
    expect('status' in res && res.status).toBe(503);
    expect('body' in res && res.body).toMatch(/catalog/);
    halt();
    await flowsAgain();
  }), 360_000);

  it('preset egress to the database port, reject: checkout says connection refused; DNS still works; ends at its deadline', () => withRealNodeNetwork(async () => {
    await flowsAgain();
    // 75 s: under load the injection itself (agent pod, verification) can take a good part of a shorter
    // window, and the rules would expire while the test is still waiting for the symptom
    inject(['preset=egress', 'to=10.20.0.0/16:5432', 'action=reject'], '75s');
    // each checkout pod's held database connection is reset first ("connection reset by peer"); its
    // next request reconnects and the REJECT rule refuses the new connection
    const seen = new Set<string>();
    const res = await waitUntil('checkout to fail on the database with connection refused', async () => {
      const r = await checkout();
      seen.add('status' in r ? `${r.status} ${r.body.slice(0, 160)}` : r.error);
      return 'status' in r && r.status === 503 && /connection refused/.test(r.body) ? r : undefined;
    }, 45_000, 500).catch((e: Error) => { throw new Error(`${e.message}; checkout answered: ${[...seen].join(' | ')}`); });
    expect(res.body).toMatch(/connection refused/);
    expect(res.body).toMatch(/5432/);
    expect(lookup().status).toBe(0);
    // nobody halts: the agent removes its rules at the deadline by itself
    await waitUntil('the deadline to pass and the rules to go', async () => gamedayChainsOnNode().length === 0, 120_000, 2000);
    await flowsAgain();
  }), 360_000);

  it('preset ingress on the NodePort, reject: the Service is unreachable from outside the node, pods still reach it inside', () => withRealNodeNetwork(async () => {
    await flowsAgain();
    inject(['preset=ingress', 'port=30080', 'action=reject']);
    const outside = nodePortFromVpc();
    expect(outside.status).not.toBe(0);
    const front = await checkout();
    expect('status' in front && front.status === 200).toBe(false);
    const inside = kubectl(['-n', 'shop', 'exec', 'deploy/catalog', '--', '/bin/busybox', 'timeout', '5', '/bin/busybox', 'wget', '-qO-', 'http://checkout/checkout'], 30_000);
    expect(inside.status, inside.stderr).toBe(0);
    halt();
    await flowsAgain();
  }), 360_000);

  it('attached drill whose facilitator is SIGKILLed: the lease lapses and the agent removes its rules', () => withRealNodeNetwork(async () => {
    await flowsAgain();
    let out = '';
    const c = spawn(process.execPath, [BIN, 'inject', 'node.iptables', '--env', 'sandbox', '--target', 'nodes=all', '--param', 'preset=dns', '--param', 'action=drop', '--param', 'leaseTtl=30s', '--duration', '10m', '--acknowledge-node-impact', '--yes', '--wait'], { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(c);
    c.stdout?.on('data', (d) => (out += String(d)));
    c.stderr?.on('data', (d) => (out += String(d)));
    await waitUntil('the fault to be active', async () => /Verified .+ \(injected\): ok/.test(out), 120_000, 200);
    expect(lookup().status).not.toBe(0);
    c.kill('SIGKILL');
    const killedAt = Date.now();
    await waitUntil('the lapsed lease to remove the rules', async () => gamedayChainsOnNode().length === 0, 150_000, 2000);
    console.log(`rules gone ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the facilitator was SIGKILLed (leaseTtl 30s)`);
    await flowsAgain();
  }), 360_000);
});
