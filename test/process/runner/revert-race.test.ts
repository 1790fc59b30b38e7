/**
 * One reverter per fault, across processes: `gameday halt`, `gameday recover <id>` and the
 * deadline keeper (`gameday _keep-deadline <id>`) started together on the same drill — and, in some
 * rounds, the live drill itself (`inject --wait` reaching its deadline) — many times. The real
 * CLI, real processes; the test.marker injector's revert pauses between "the marker is there"
 * and removing it, so two reverters that overlapped would both remove it and both log it.
 * Every round: each fault reverted exactly once (one "revert" line per fault in the marker log,
 * one `fault-reverted: reverted` per fault in the journal), every racer exits 0, seqs unique.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../helpers/cli.js';

const BIN = resolve('bin/gameday.js');
const ROUNDS_DETACHED = 6;
const ROUNDS_LIVE = 3;
const dirs: string[] = [];
const keepers: number[] = [];

beforeAll(async () => {
  await ensureBuilt();
}, 300_000);
afterEach(() => {
  // the detached inject's own keeper would sleep for minutes: it is ours, stop it by pid
  for (const pid of keepers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function gameday(dir: string, ...args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((res) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, GAMEDAY_ENABLE_TEST_INJECTORS: '1', GAMEDAY_CACHE: join(dir, 'cache'), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += String(d)));
    c.stderr.on('data', (d) => (out += String(d)));
    const killer = setTimeout(() => c.kill('SIGKILL'), 60_000);
    c.on('exit', (status) => {
      clearTimeout(killer);
      res({ status, out });
    });
  });
}

function setup(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gd-race-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'gameday.yaml'), 'environments:\n  local:\n    critical: false\n');
  return dir;
}

function journalEvents(dir: string): { seq: number; type: string; faultId?: string; outcome?: string; pid?: number }[] {
  const d = join(dir, '.gameday', 'drills');
  return readdirSync(d)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(d, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l));
}

function expectRevertedOnce(dir: string, names: string[], what: string): void {
  for (const n of names) {
    const log = readFileSync(join(dir, 'm', `${n}.fault.log`), 'utf8');
    expect(log, `${what}: marker ${n}`).toBe(`inject f1-${n}\nrevert f1-${n}\n`);
    expect(existsSync(join(dir, 'm', `${n}.fault`)), `${what}: marker ${n} gone`).toBe(false);
  }
  const events = journalEvents(dir);
  for (const n of names) expect(events.filter((e) => e.type === 'fault-reverted' && e.faultId === `f1-${n}` && e.outcome === 'reverted'), `${what}: f1-${n} reverted once`).toHaveLength(1);
  const seqs = events.map((e) => e.seq);
  expect(new Set(seqs).size, `${what}: journal seqs unique`).toBe(seqs.length);
}

describe('halt, recover and the deadline keeper started together on one drill', () => {
  it(`each fault reverted exactly once, ${ROUNDS_DETACHED} rounds`, async () => {
    for (let round = 1; round <= ROUNDS_DETACHED; round++) {
      const dir = setup();
      const inject = await gameday(dir, 'inject', 'test.marker', '--env', 'local', '--target', `dir=${join(dir, 'm')},names=a+b`, '--param', 'revertPauseMs=300', '--duration', '5m', '--yes');
      expect(inject.status, inject.out).toBe(0);
      const drillId = /drill id: (\S+)/.exec(inject.out)![1]!;
      const keeper = journalEvents(dir).find((e) => e.type === 'reaper-started')?.pid;
      if (keeper) keepers.push(keeper);
      const racers = await Promise.all([gameday(dir, 'halt'), gameday(dir, 'recover', drillId), gameday(dir, '_keep-deadline', drillId, '--at', String(Date.now()))]);
      for (const r of racers) expect(r.status, `round ${round}: ${r.out}`).toBe(0);
      expectRevertedOnce(dir, ['a', 'b'], `round ${round}`);
      afterEachRound();
    }
  }, 240_000);

  it(`…and with the live drill (inject --wait) reverting at its deadline too, ${ROUNDS_LIVE} rounds`, async () => {
    for (let round = 1; round <= ROUNDS_LIVE; round++) {
      const dir = setup();
      const live = gameday(dir, 'inject', 'test.marker', '--env', 'local', '--target', `dir=${join(dir, 'm')},names=a+b`, '--param', 'revertPauseMs=300', '--duration', '4s', '--wait', '--yes');
      // wait (bounded) until the fault is journaled as verified, then race the live drill's own deadline revert
      const until = Date.now() + 30_000;
      let drillId: string | undefined;
      while (Date.now() < until && !drillId) {
        await new Promise((r) => setTimeout(r, 50));
        const d = join(dir, '.gameday', 'drills');
        if (existsSync(d) && journalEvents(dir).filter((e) => e.type === 'fault-verified').length >= 2) drillId = readdirSync(d).find((f) => f.endsWith('.jsonl'))!.slice(0, -'.jsonl'.length);
      }
      expect(drillId, 'the live drill injected').toBeTruthy();
      const deadline = Number(/"deadline":(\d+)/.exec(readFileSync(join(dir, '.gameday', 'drills', `${drillId}.jsonl`), 'utf8'))![1]);
      await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now() - 150)));
      const racers = await Promise.all([live, gameday(dir, 'halt'), gameday(dir, 'recover', drillId!), gameday(dir, '_keep-deadline', drillId!, '--at', String(deadline))]);
      // the live drill ends 0 (its own deadline) or 3 (stopped by the halt flag, every fault reverted)
      expect([0, 3], `round ${round} live: ${racers[0].out}`).toContain(racers[0].status);
      for (const r of racers.slice(1)) expect(r.status, `round ${round}: ${r.out}`).toBe(0);
      expectRevertedOnce(dir, ['a', 'b'], `round ${round} (live)`);
      afterEachRound();
    }
  }, 240_000);
});

describe('halt while an inject is mid-call', () => {
  it('waits for the outcome (the inject holds the claim) and then reverts: no fault left behind a "reverted" journal', async () => {
    const dir = setup();
    const inject = gameday(dir, 'inject', 'test.marker', '--env', 'local', '--target', `dir=${join(dir, 'm')},names=a`, '--param', 'pauseBeforeMs=5000', '--duration', '5m', '--yes'); // long enough for halt to start (a loaded machine takes seconds)
    const until = Date.now() + 30_000;
    while (Date.now() < until && !(existsSync(join(dir, '.gameday', 'drills')) && journalEvents(dir).some((e) => e.type === 'fault-intent'))) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(join(dir, 'm', 'a.fault')), 'the marker is not written yet').toBe(false);
    const halt = await gameday(dir, 'halt');
    const injected = await inject;
    expect(halt.status, halt.out).toBe(0);
    expect(halt.out).toMatch(/gameday inject \(pid \d+ on [^)]+\) is injecting it; waiting for its outcome/);
    expect(injected.status, injected.out).toBe(0);
    const keeper = journalEvents(dir).find((e) => e.type === 'reaper-started')?.pid;
    if (keeper) keepers.push(keeper);
    // the mutation landed after halt started; halt reverted it afterwards, exactly once
    expectRevertedOnce(dir, ['a'], 'halt during inject');
    afterEachRound();
  }, 60_000);
});

/** Rounds share one test: clean up as we go (bounded disk, no sleeping keepers piling up). */
function afterEachRound(): void {
  for (const pid of keepers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
