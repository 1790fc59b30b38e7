/**
 * Restores that create things converge to exactly one of each, against a real moto server:
 *   - a CreateLoadBalancer (then a CreateListener) that reached AWS but whose answer never came back
 *     (a proxy between the CLI and moto forwards the call and drops the answer): the revert gives
 *     up on that call (creates are sent once, never blindly retried), halt exits 3 naming it, and
 *     the next halt finds what the lost call made, by name and tag, and finishes the restore;
 *   - halt, recover and the deadline keeper started together on the same ELB drill, several rounds.
 * Every time: one shop-public, one listener, one rule, the alias on it, journal seqs unique.
 */
import { spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import * as R53 from '@aws-sdk/client-route-53';
import { startMoto, type MotoServer } from '../helpers/sandbox/moto.js';
import { ALB_NAME, nodeRefs, seedAws, WWW_RECORD, type AwsWorld } from '../../src/sandbox/seed-aws.js';

const BIN = resolve('bin/gameday.js');
const RACE_ROUNDS = 4;

/** Forwards to moto; the answer to the action named in `dropAnswerOf` is dropped (once). */
function droppingProxy(target: string) {
  const state = { dropAnswerOf: undefined as string | undefined, dropped: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = /Action=(\w+)/.exec(body.toString('utf8'))?.[1];
      const drop = action !== undefined && action === state.dropAnswerOf;
      const u = new URL(target);
      const fwd = request({ host: u.hostname, port: u.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        const out: Buffer[] = [];
        up.on('data', (c: Buffer) => out.push(c));
        up.on('end', () => {
          if (drop) {
            state.dropAnswerOf = undefined; // AWS did it; this caller never hears
            state.dropped++;
            return;
          }
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

let moto: MotoServer;
let world: AwsWorld;
let proxy: ReturnType<typeof droppingProxy>;
let dir: string;
let envVars: NodeJS.ProcessEnv;
const keepers: number[] = [];

beforeAll(async () => {
  if (!existsSync(resolve('dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  moto = await startMoto();
  world = await seedAws(moto.clients, nodeRefs(2));
  proxy = droppingProxy(moto.endpoint);
  const endpoint = await proxy.listen();
  dir = mkdtempSync(join(tmpdir(), 'gd-converge-'));
  writeFileSync(join(dir, 'gameday.yaml'), `environments:\n  practice:\n    critical: false\n    aws:\n      region: ${moto.region}\n      endpoint: ${endpoint}\n`);
  envVars = { ...process.env, GAMEDAY_CACHE: join(dir, 'cache'), NO_COLOR: '1' };
}, 120_000);

afterAll(async () => {
  for (const pid of keepers) {
    try {
      process.kill(pid, 'SIGKILL'); // the detached injects' keepers (ours) would sleep for minutes
    } catch {
      /* gone */
    }
  }
  proxy?.server.closeAllConnections();
  proxy?.server.close();
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Async on purpose: the proxy lives in this process. */
const gameday = (...args: string[]) =>
  new Promise<{ status: number | null; out: string; ms: number }>((res) => {
    const t0 = Date.now();
    const c = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: envVars, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += String(d)));
    c.stderr.on('data', (d) => (out += String(d)));
    const timer = setTimeout(() => c.kill('SIGKILL'), 120_000);
    c.on('exit', (status) => {
      clearTimeout(timer);
      res({ status, out, ms: Date.now() - t0 });
    });
  });

async function injectShop(): Promise<string> {
  const r = await gameday('inject', 'aws.elbv2-delete', '--env', 'practice', '--target', `name=${ALB_NAME}`, '--duration', '10m', '--yes');
  expect(r.status, r.out).toBe(0);
  const drillId = /drill id: (\S+)/.exec(r.out)![1]!;
  const keeper = Number(new RegExp(`"drillId":"${drillId}"[^\\n]*"type":"reaper-started","pid":(\\d+)`).exec(journalText())?.[1]);
  if (keeper > 0) keepers.push(keeper);
  return drillId;
}

function journalText(): string {
  const d = join(dir, '.gameday', 'drills');
  return readdirSync(d)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => readFileSync(join(d, f), 'utf8'))
    .join('');
}

/** Exactly one shop-public, one listener, one rule, the alias on it; unique seqs in every journal. */
async function expectOneOfEach(what: string): Promise<void> {
  const elb = await moto.clients.get('elbv2');
  const lbs = ((await elb.send(new ELB.DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).filter((l) => l.LoadBalancerName === ALB_NAME);
  expect(lbs, `${what}: load balancers named ${ALB_NAME}`).toHaveLength(1);
  const listeners = (await elb.send(new ELB.DescribeListenersCommand({ LoadBalancerArn: lbs[0]!.LoadBalancerArn }))).Listeners ?? [];
  expect(listeners, `${what}: listeners`).toHaveLength(1);
  const rules = ((await elb.send(new ELB.DescribeRulesCommand({ ListenerArn: listeners[0]!.ListenerArn }))).Rules ?? []).filter((r) => !r.IsDefault);
  expect(rules, `${what}: rules`).toHaveLength(1);
  const r53 = await moto.clients.get('route53');
  const www = ((await r53.send(new R53.ListResourceRecordSetsCommand({ HostedZoneId: world.hostedZoneId }))).ResourceRecordSets ?? []).filter((r) => r.Name === WWW_RECORD && r.Type === 'A');
  expect(www, `${what}: www records`).toHaveLength(1);
  expect(www[0]!.AliasTarget?.DNSName?.replace(/\.$/, '').toLowerCase(), `${what}: alias`).toBe(lbs[0]!.DNSName!.toLowerCase());
  const d = join(dir, '.gameday', 'drills');
  for (const f of readdirSync(d).filter((x) => x.endsWith('.jsonl'))) {
    const seqs = readFileSync(join(d, f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(new Set(seqs).size, `${what}: seqs unique in ${f}`).toBe(seqs.length);
  }
}

describe('ELB restores converge to exactly one of each', () => {
  for (const lost of ['CreateLoadBalancer', 'CreateListener'] as const) {
    it(`the answer to ${lost} is lost: halt gives up on it (exit 3), the next halt finds what it made and finishes`, async () => {
      await injectShop();
      proxy.state.dropAnswerOf = lost;
      const first = await gameday('halt');
      console.log(`[figure] halt with the answer to ${lost} lost: ${first.ms} ms, exit ${first.status}`);
      expect(first.status, first.out).toBe(3);
      expect(first.out).toMatch(new RegExp(`did not answer ${lost} in \\d+ s \\(1 attempt`));
      expect(proxy.state.dropped).toBeGreaterThan(0);
      proxy.state.dropped = 0;
      const second = await gameday('halt');
      expect(second.status, second.out).toBe(0);
      await expectOneOfEach(`after a lost ${lost}`);
      expect((await gameday('halt', '--clear')).status).toBe(0);
    }, 120_000);
  }

  it(`halt, recover and the deadline keeper together on one ELB drill, ${RACE_ROUNDS} rounds: one of each every time`, async () => {
    for (let round = 1; round <= RACE_ROUNDS; round++) {
      const drillId = await injectShop();
      const racers = await Promise.all([gameday('halt'), gameday('recover', drillId), gameday('_keep-deadline', drillId, '--at', String(Date.now()))]);
      for (const r of racers) expect(r.status, `round ${round}: ${r.out}`).toBe(0);
      await expectOneOfEach(`round ${round}`);
      const reverted = journalText().split('\n').filter((l) => l.includes(`"drillId":"${drillId}"`) && l.includes('"type":"fault-reverted"') && l.includes('"outcome":"reverted"'));
      expect(reverted, `round ${round}: reverted once`).toHaveLength(1);
      expect((await gameday('halt', '--clear')).status).toBe(0);
    }
  }, 240_000);
});
