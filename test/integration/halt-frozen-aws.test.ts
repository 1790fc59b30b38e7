/**
 * Issue 17, as the unlucky facilitator met it, against a real moto server of this file's own:
 * a detached `gameday inject aws.elbv2-delete --target name=shop-public` (its deadline keeper
 * running), then the AWS endpoint freezes (SIGSTOP: the process stops answering but its socket
 * still accepts connections, like an overloaded or black-holed endpoint), then:
 *   1. `gameday halt` + SIGTERM 3 s later: exits within 2 s, 130, naming the fault;
 *   2. `gameday halt`: ends on its own within its deadline, non-zero, naming the fault and what
 *      did not answer; meanwhile the deadline keeper reaches its deadline and queues on the claim;
 *   3. the endpoint resumes (SIGCONT) while the keeper is mid-revert, and one more `gameday halt`
 *      runs at once: everything is reverted exactly once — one shop-public, one listener, one
 *      rule, the alias on it — and the journal's sequence numbers are unique.
 * Uses the real CLI (bin/gameday.js → dist/), real processes, real HTTP.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import * as R53 from '@aws-sdk/client-route-53';
import { cliHarness, exited } from '../helpers/cli-process.js';
import { startMoto, type MotoServer } from '../helpers/sandbox/moto.js';
import { ALB_NAME, nodeRefs, seedAws, WWW_RECORD, type AwsWorld } from '../../src/sandbox/seed-aws.js';

const BIN = resolve('bin/gameday.js');
let moto: MotoServer;
let world: AwsWorld;
let dir: string;
let envVars: NodeJS.ProcessEnv;
let frozen = false;
let keeperPid = 0;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const freeze = () => {
  process.kill(moto.pid, 'SIGSTOP');
  frozen = true;
};
const thaw = () => {
  process.kill(moto.pid, 'SIGCONT');
  frozen = false;
};

beforeAll(async () => {
  if (!existsSync(resolve('dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  moto = await startMoto();
  world = await seedAws(moto.clients, nodeRefs(2));
  dir = mkdtempSync(join(tmpdir(), 'gd-frozen-aws-'));
  writeFileSync(join(dir, 'gameday.yaml'), `environments:\n  practice:\n    critical: false\n    aws:\n      region: ${moto.region}\n      endpoint: ${moto.endpoint}\n`);
  envVars = { ...process.env, GAMEDAY_CACHE: join(dir, 'cache'), NO_COLOR: '1' };
}, 120_000);

afterAll(async () => {
  if (frozen) thaw(); // never leave a stopped process behind
  if (keeperPid && alive(keeperPid)) process.kill(keeperPid, 'SIGKILL');
  await moto?.stop();
  if (dir && !process.env.GAMEDAY_TEST_KEEP) rmSync(dir, { recursive: true, force: true });
  else if (dir) console.log(`[kept] ${dir}`);
});

const cli = cliHarness(BIN, () => dir, () => envVars);
/** Runs the CLI to the end (bounded): exit code, output and wall time. */
async function gameday(...args: string[]): Promise<{ status: number | null; out: string; ms: number }> {
  const t0 = Date.now();
  const c = cli.start(...args);
  const killer = setTimeout(() => c.kill('SIGKILL'), 200_000);
  const status = await exited(c);
  clearTimeout(killer);
  return { status, out: cli.output(), ms: Date.now() - t0 };
}

function journal(): { text: string; events: { seq: number; type: string; faultId?: string; outcome?: string; error?: string; pid?: number }[] } {
  const d = join(dir, '.gameday', 'drills');
  const text = readdirSync(d).map((f) => readFileSync(join(d, f), 'utf8')).join('');
  return { text, events: text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

describe('gameday halt while the AWS endpoint is frozen (SIGSTOP), with the deadline keeper running', () => {
  it('SIGTERM ends halt within 2 s; halt ends on its own within its deadline; after the thaw one more halt reverts exactly once', async () => {
    const inject = await gameday('inject', 'aws.elbv2-delete', '--env', 'practice', '--target', `name=${ALB_NAME}`, '--duration', '25s', '--yes');
    expect(inject.status, inject.out).toBe(0);
    const drillId = /drill id: (\S+)/.exec(inject.out)?.[1];
    keeperPid = journal().events.find((e) => e.type === 'reaper-started')?.pid ?? 0;
    expect(drillId).toBeTruthy();
    expect(alive(keeperPid)).toBe(true);

    freeze();

    // 1. SIGTERM mid-halt: out within 2 s, exit 130, the fault named as still active
    const c = cli.start('halt');
    await cli.until(() => journal().text.includes('"fault-revert-started"'), 'halt to start reverting', 20_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const tTerm = Date.now();
    c.kill('SIGTERM');
    const termStatus = await exited(c);
    const termMs = Date.now() - tTerm;
    const termOut = cli.output();
    console.log(`[figure] halt, AWS endpoint frozen: SIGTERM → exit in ${termMs} ms (status ${termStatus})`);
    expect(termStatus, termOut).toBe(130);
    expect(termMs).toBeLessThan(2_000);
    expect(termOut).toMatch(/f1-shop-public/);
    expect(termOut).toMatch(/interrupted by SIGTERM/);
    expect(journal().text).toMatch(/"fault-revert-failed"[^\n]*interrupted by SIGTERM[^\n]*waiting for http:\/\/127\.0\.0\.1:\d+ \w+/);

    // 2. halt on its own: non-zero within its deadline, naming the fault and what did not answer
    const halt = await gameday('halt');
    console.log(`[figure] halt, AWS endpoint frozen: ended by itself in ${halt.ms} ms, exit ${halt.status}`);
    expect(halt.status, halt.out).toBe(3);
    expect(halt.ms).toBeLessThan(150_000); // the per-call bound (≈ 40 s) ends it well inside the 13 min revert deadline (generous: a loaded machine)
    expect(halt.out).toMatch(/f1-shop-public \(loadbalancer shop-public\): revert failed: (cannot reach the AWS API of "\w+" \([^)]+\): )?http:\/\/127\.0\.0\.1:\d+ did not answer \w+ in \d+ s/);
    expect(halt.out).toMatch(/run `gameday halt` again/);
    // status names it: failed, with the command that retries, or (if the keeper's deadline came meanwhile) who reverts it now
    const status = await gameday('status');
    expect(status.out).toMatch(/f1-shop-public[^\n]*(revert-failed|reverting)/);
    expect(status.out).toMatch(/f1-shop-public: (revert failed: [^\n]* — retry: gameday recover |being reverted by the deadline keeper \(pid \d+)/);

    // the keeper's deadline has passed by now: it waits for the claim or is inside its own frozen call
    await cli.until(() => journal().events.filter((e) => e.type === 'fault-revert-started').length >= 3, 'the deadline keeper to start its revert', 60_000);
    expect(journal().text).toMatch(/"reason":"deadline"/);

    // 3. the endpoint resumes while the keeper is mid-call; one more halt at once
    thaw();
    const final = await gameday('halt');
    console.log(`[figure] halt right after the thaw (racing the deadline keeper): ${final.ms} ms, exit ${final.status}`);
    expect(final.status, final.out).toBe(0);
    await cli.until(() => !alive(keeperPid), 'the deadline keeper to finish', 60_000);

    const elb = await moto.clients.get('elbv2');
    const lbs = ((await elb.send(new ELB.DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).filter((l) => l.LoadBalancerName === ALB_NAME);
    expect(lbs).toHaveLength(1);
    const lb = lbs[0]!;
    expect(lb.LoadBalancerArn).not.toBe(world.loadBalancerArn);
    const listeners = (await elb.send(new ELB.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
    expect(listeners).toHaveLength(1);
    const rules = ((await elb.send(new ELB.DescribeRulesCommand({ ListenerArn: listeners[0]!.ListenerArn }))).Rules ?? []).filter((r) => !r.IsDefault);
    expect(rules).toHaveLength(1);
    const r53 = await moto.clients.get('route53');
    const www = ((await r53.send(new R53.ListResourceRecordSetsCommand({ HostedZoneId: world.hostedZoneId }))).ResourceRecordSets ?? []).filter((r) => r.Name === WWW_RECORD && r.Type === 'A');
    expect(www).toHaveLength(1);
    expect(www[0]!.AliasTarget?.DNSName?.replace(/\.$/, '').toLowerCase()).toBe(lb.DNSName!.toLowerCase());

    const { events } = journal();
    const seqs = events.map((e) => e.seq);
    expect(new Set(seqs).size, 'journal seqs unique').toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(events.filter((e) => e.type === 'fault-reverted' && e.outcome === 'reverted')).toHaveLength(1);
    expect((await gameday('status', '--json')).out).toContain('"drills": []');
    expect((await gameday('halt', '--clear')).status).toBe(0);
  }, 300_000);
});
