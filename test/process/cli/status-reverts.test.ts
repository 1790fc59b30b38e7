/**
 * `gameday status` shows faults whose revert failed or was interrupted, with the command that
 * retries them, and a revert in progress with the process doing it (its claim's holder) — from
 * the journals and the claims alone, with the real CLI.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultClaims } from '../../../src/adapters/fault-claim.js';
import { cliEnv, ensureBuilt, runCli } from '../../helpers/cli.js';

const DRILL = '20260101-120000-aws-elbv2-delete-abcd';
let dir: string;
let state: string;
let release: (() => void) | undefined;

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'gd-status-'));
  state = join(dir, 'state');
  mkdirSync(join(state, 'drills'), { recursive: true });
  writeFileSync(join(dir, 'gameday.yaml'), 'environments:\n  local:\n    critical: false\n');
  const at = new Date(Date.now() - 60_000).toISOString();
  const rec = (id: string) => ({ faultId: id, kind: 'aws.elbv2-delete', target: `loadbalancer ${id}`, reversible: true, deadline: Date.now() - 30_000, undo: {} });
  const events = [
    { type: 'drill-started', mode: 'adhoc', env: 'local', pid: 2 ** 22 + 7, host: hostname() },
    ...['f1-a', 'f1-b', 'f1-c'].flatMap((id) => [{ type: 'fault-intent', record: rec(id) }, { type: 'fault-injected', faultId: id }, { type: 'fault-revert-started', faultId: id, reason: 'halt' }]),
    { type: 'fault-revert-failed', faultId: 'f1-b', error: 'revert failed: http://127.0.0.1:5000 did not answer DescribeLoadBalancers in 39 s (3 attempts)' },
  ];
  writeFileSync(join(state, 'drills', `${DRILL}.jsonl`), events.map((e, i) => `${JSON.stringify({ v: 1, drillId: DRILL, at, seq: i + 1, ...e })}\n`).join(''));
  // f1-c is being reverted right now by a live process (this one, as "the deadline keeper")
  const c = new FaultClaims(join(state, 'claims')).tryClaim(DRILL, 'f1-c', 'deadline');
  if (!c.ok) throw new Error('unexpected');
  release = () => c.claim.release();
}, 300_000);
afterAll(() => {
  release?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('gameday status and unfinished reverts', () => {
  it('names failed and interrupted reverts with the retry command, and who reverts one in progress', () => {
    const env = cliEnv({ state, cache: join(dir, 'cache') });
    const r = runCli(['status'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/f1-a: revert interrupted: the process reverting it is gone — retry: gameday recover 20260101-120000-aws-elbv2-delete-abcd/);
    expect(r.stdout).toMatch(/f1-b: revert failed: http:\/\/127\.0\.0\.1:5000 did not answer DescribeLoadBalancers in 39 s \(3 attempts\) — retry: gameday recover 20260101-120000-aws-elbv2-delete-abcd/);
    expect(r.stdout).toMatch(new RegExp(`f1-c: being reverted by the deadline keeper \\(pid ${process.pid} on `));
    const json = JSON.parse(runCli(['status', '--json'], { cwd: dir, env }).stdout) as { drills: { faults: { faultId: string; retry?: string; revertingBy?: string; lastError?: string }[] }[] };
    const faults = Object.fromEntries(json.drills[0]!.faults.map((f) => [f.faultId, f]));
    expect(faults['f1-a']).toMatchObject({ retry: `gameday recover ${DRILL}`, lastError: expect.stringMatching(/interrupted/) });
    expect(faults['f1-b']).toMatchObject({ retry: `gameday recover ${DRILL}` });
    expect(faults['f1-c']?.revertingBy).toMatch(/the deadline keeper/);
    expect(faults['f1-c']?.retry).toBeUndefined();
  });
});
