/**
 * `gameday recover --orphans` over file journals of test.marker faults (no backend; their revert
 * log counts reverts exactly): it reverts what is past its deadline and what a drill of this
 * machine left when its process died, and leaves alone a detached inject before its deadline and a
 * drill whose process is alive. Run twice, the second finds nothing. The Lease side (a drill that
 * ran in a pod) is proven on the sandbox (test/integration/schedule.test.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import type { DrillMode } from '../../../src/core/events.js';
import { gamedayInProcess } from '../../helpers/in-process-cli.js';

let root: string;
let cwd: string;
let state: string;
const saved = { ...process.env };

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'gd-orphans-'));
  cwd = join(root, 'project');
  state = join(cwd, '.gameday');
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n  lab2:\n    critical: false\n');
  process.env.GAMEDAY_ENABLE_TEST_INJECTORS = '1';
  process.env.GAMEDAY_CACHE = join(root, 'cache');
  process.env.GAMEDAY_STATE_DIR = state;
  process.env.NO_COLOR = '1';
});
afterAll(() => {
  process.env = saved;
  rmSync(root, { recursive: true, force: true });
});

/** A drill holding one active test.marker fault, journaled as a drill would (intent before the marker). */
function markerDrill(id: string, o: { mode: DrillMode; pid: number; deadline: number; env?: string }): { path: string; log: string } {
  const w = new JournalStore(state).open(id);
  w.append({ type: 'drill-started', mode: o.mode, env: o.env ?? 'lab', title: id, pid: o.pid, host: hostname() });
  const path = join(root, 'markers', `${id}.fault`);
  const log = `${path}.log`;
  w.append({ type: 'fault-intent', record: { faultId: 'f1', kind: 'test.marker', target: `marker ${id}`, reversible: true, deadline: o.deadline, undo: { path, log } } });
  mkdirSync(join(root, 'markers'), { recursive: true });
  writeFileSync(path, id);
  w.append({ type: 'fault-injected', faultId: 'f1' });
  w.close();
  return { path, log };
}
const reverts = (log: string): number => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('revert ')).length : 0);
const DEAD_PID = 2 ** 22 - 3; // above pid_max's default: no such process
const recover = (...args: string[]) => gamedayInProcess(['recover', ...args], { cwd, timeoutMs: 20_000 });

describe('gameday recover --orphans', () => {
  it('reverts what is past its deadline or was left by a dead process of this machine; leaves live drills and detached injects before their deadline', async () => {
    const now = Date.now();
    const overdue = markerDrill('20261204-090000-adhoc-overdue-0001', { mode: 'adhoc', pid: DEAD_PID, deadline: now - 1_000 });
    const detached = markerDrill('20261204-090001-adhoc-detached-0002', { mode: 'adhoc', pid: DEAD_PID, deadline: now + 600_000 });
    const crashed = markerDrill('20261204-090002-run-crashed-0003', { mode: 'unattended', pid: DEAD_PID, deadline: now + 600_000 });
    const live = markerDrill('20261204-090003-run-live-0004', { mode: 'facilitated', pid: process.pid, deadline: now + 600_000 });
    const otherEnv = markerDrill('20261204-090004-adhoc-lab2-0005', { mode: 'adhoc', pid: DEAD_PID, deadline: now - 1_000, env: 'lab2' });

    const r = await recover('--orphans', '--env', 'lab');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('20261204-090000-adhoc-overdue-0001: 1 fault(s) past their deadline');
    expect(r.stdout).toMatch(/20261204-090002-run-crashed-0003: its process \(pid \d+ on .+\) is gone: reverting/);
    expect([overdue, crashed].map((m) => [existsSync(m.path), reverts(m.log)])).toEqual([[false, 1], [false, 1]]);
    expect([detached, live, otherEnv].map((m) => [existsSync(m.path), reverts(m.log)])).toEqual([[true, 0], [true, 0], [true, 0]]);
    const journal = readFileSync(join(state, 'drills', '20261204-090002-run-crashed-0003.jsonl'), 'utf8');
    expect(journal).toContain('"reason":"recover"');
    expect(journal).toMatch(/"type":"drill-ended","reason":"aborted"/);

    // again: nothing left to do in lab; without --env, lab2's overdue fault too
    const again = await recover('--orphans', '--env', 'lab');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('no orphaned faults in lab');
    const all = await recover('--orphans');
    expect(all.code, all.stderr).toBe(0);
    expect([existsSync(otherEnv.path), reverts(otherEnv.log), reverts(overdue.log)]).toEqual([false, 1, 1]);
    expect([existsSync(live.path), existsSync(detached.path)]).toEqual([true, true]);
  });

  it('one-line usage errors: neither an id nor --orphans, both, --env with an id, an unknown environment', async () => {
    for (const [args, words] of [
      [[], 'which drill?'],
      [['some-id', '--orphans'], 'not both'],
      [['some-id', '--env', 'lab'], '--env goes with --orphans'],
      [['--orphans', '--env', 'nowhere'], 'nowhere'],
    ] as const) {
      const r = await recover(...args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr.split('\n')[0]).toContain(words);
    }
  });
});
