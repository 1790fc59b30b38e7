/**
 * SIGKILL windows of `gameday inject aws.elbv2-delete`, as a user meets them: the real CLI process
 * (bin/gameday.js) against a private moto server, killed (1) after the snapshot is journaled but
 * before the delete reaches AWS, and (2) after AWS deleted the LB but before the outcome was
 * journaled. `gameday halt` (a fresh process, journal only) must leave the LB present exactly once,
 * and halting again must change nothing.
 *
 * The windows are made deterministic by a tiny HTTP proxy between the CLI and moto that holds the
 * DeleteLoadBalancer call: in window 1 it never forwards it; in window 2 it forwards it and holds
 * back moto's answer. No test hook lives in the injector.
 */
import { spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { cliHarness, exited } from '../helpers/cli-process.js';
import { lbsNamed, REGION, seedNetwork, seedShopLb, startWorld, type AwsWorld, type Net } from '../helpers/sandbox/aws-world.js';

const BIN = resolve('bin/gameday.js');
type Mode = 'pass' | 'hold-request' | 'hold-response';

/** Forwards to moto; DeleteLoadBalancer is held per `mode`. */
function holdingProxy(target: string) {
  const state = { mode: 'pass' as Mode, deletesSeen: 0, deletesForwarded: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isDelete = body.toString('utf8').includes('Action=DeleteLoadBalancer');
      if (isDelete) state.deletesSeen++;
      if (isDelete && state.mode === 'hold-request') return; // never forwarded; the caller dies waiting
      const u = new URL(target);
      const fwd = request({ host: u.hostname, port: u.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        const out: Buffer[] = [];
        up.on('data', (c: Buffer) => out.push(c));
        up.on('end', () => {
          if (isDelete) state.deletesForwarded++;
          if (isDelete && state.mode === 'hold-response') return; // AWS did it; the caller never hears
          res.writeHead(up.statusCode ?? 500, up.headers);
          res.end(Buffer.concat(out));
        });
      });
      fwd.on('error', () => res.destroy());
      fwd.end(body);
    });
  });
  return { state, server, listen: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as { port: number }).port}`))) };
}

let world: AwsWorld;
let net: Net;
let proxy: ReturnType<typeof holdingProxy>;
let dir: string;
let envVars: NodeJS.ProcessEnv;

beforeAll(async () => {
  if (!existsSync(resolve('dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  world = await startWorld();
  net = await seedNetwork(world.clients);
  proxy = holdingProxy(world.endpoint);
  const endpoint = await proxy.listen();
  dir = mkdtempSync(join(tmpdir(), 'gd-elb-crash-'));
  writeFileSync(join(dir, 'gameday.yaml'), `environments:\n  practice:\n    critical: false\n    aws:\n      region: ${REGION}\n      endpoint: ${endpoint}\n`);
  envVars = { ...process.env, GAMEDAY_CACHE: join(dir, 'cache'), NO_COLOR: '1' };
});
afterAll(async () => {
  proxy?.server.closeAllConnections();
  proxy?.server.close();
  await world?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Async on purpose: the proxy lives in this process, so a synchronous spawn would deadlock it. */
const gameday = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((res) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: envVars, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += String(d)));
    c.stderr.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => c.kill('SIGKILL'), 60_000);
    c.on('exit', (status) => {
      clearTimeout(timer);
      res({ status, stdout, stderr });
    });
  });
const { start, journalText, until } = cliHarness(BIN, () => dir, () => envVars);
const listenersOf = async (arn: string) => ((await (await world.clients.get('elbv2')).send(new ELB.DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners ?? []).length;

describe('gameday inject aws.elbv2-delete: SIGKILL, then gameday halt', () => {
  it('killed after the snapshot is journaled, before the delete: halt leaves the original LB, exactly once', async () => {
    const shop = await seedShopLb(world, net, { name: 'crash-one', zone: 'one.example.' });
    proxy.state.mode = 'hold-request';
    const c = start('inject', 'aws.elbv2-delete', '--env', 'practice', '--target', 'name=crash-one', '--duration', '5m', '--yes');
    await until(() => journalText().includes('"fault-intent"') && proxy.state.deletesSeen === 1, 'the intent and the held delete');
    c.kill('SIGKILL');
    await exited(c);
    proxy.state.mode = 'pass';
    expect(journalText()).toContain('"listeners":[');
    expect(proxy.state.deletesForwarded).toBe(0);

    const halt = await gameday('halt');
    expect(halt.status, halt.stdout + halt.stderr).toBe(0);
    expect((await lbsNamed(world, 'crash-one')).map((l) => l.LoadBalancerArn)).toEqual([shop.lbArn]);
    expect((await gameday('halt')).status).toBe(0);
    expect((await lbsNamed(world, 'crash-one')).map((l) => l.LoadBalancerArn)).toEqual([shop.lbArn]);
    expect((await gameday('halt', '--clear')).status).toBe(0);
  });

  it('killed after AWS deleted the LB, before the outcome is journaled: halt re-creates it exactly once, complete; halting again changes nothing', async () => {
    const shop = await seedShopLb(world, net, { name: 'crash-two', zone: 'two.example.' });
    proxy.state.mode = 'hold-response';
    proxy.state.deletesForwarded = 0;
    const c = start('inject', 'aws.elbv2-delete', '--env', 'practice', '--target', 'name=crash-two', '--duration', '5m', '--yes');
    await until(() => proxy.state.deletesForwarded === 1, 'the delete to reach moto');
    c.kill('SIGKILL');
    await exited(c);
    proxy.state.mode = 'pass';
    expect(await lbsNamed(world, 'crash-two')).toHaveLength(0);
    expect(journalText()).not.toMatch(/"fault-injected"[^\n]*crash-two/);

    const t0 = Date.now();
    const halt = await gameday('halt');
    const haltMs = Date.now() - t0;
    expect(halt.status, halt.stdout + halt.stderr).toBe(0);
    console.log(`[figure] gameday halt re-creating a deleted ALB on moto (2 listeners, 2 rules, 2 records): ${haltMs} ms wall, CLI start included`);
    expect(halt.stdout).toMatch(/crash-two re-created: new ARN arn:aws:elasticloadbalancing:[^ ]+, new DNS name /);
    const lbs = await lbsNamed(world, 'crash-two');
    expect(lbs).toHaveLength(1);
    expect(lbs[0]!.LoadBalancerArn).not.toBe(shop.lbArn);
    expect(await listenersOf(lbs[0]!.LoadBalancerArn!)).toBe(2);
    expect(journalText()).toMatch(/"fault-reverted"[^\n]*"newArn"/);

    const again = await gameday('halt');
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect((await lbsNamed(world, 'crash-two')).map((l) => l.LoadBalancerArn)).toEqual([lbs[0]!.LoadBalancerArn]);
    expect((await gameday('halt', '--clear')).status).toBe(0);
  });
});
