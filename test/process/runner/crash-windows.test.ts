/**
 * The CLI process is SIGKILLed in each window of the write-before-break protocol; `gameday halt`
 * (from the journal alone) must leave nothing behind and revert exactly once. Also: a detached
 * fault expires on its own, and Ctrl-C on `inject --wait` reverts and exits 130.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cliHarness, exited } from '../../helpers/cli-process.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const BIN = resolve('bin/gameday.js');
let dir: string;
let envVars: NodeJS.ProcessEnv;

beforeAll(() => {
  if (!existsSync(resolve('dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gd-crash-'));
  writeFileSync(join(dir, 'gameday.yaml'), 'environments:\n  local:\n    critical: false\n');
  envVars = { ...process.env, GAMEDAY_ENABLE_TEST_INJECTORS: '1', GAMEDAY_CACHE: join(dir, 'cache'), NO_COLOR: '1' };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const gameday = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: envVars, encoding: 'utf8', timeout: 30_000 });
const cli = cliHarness(BIN, () => dir, () => envVars);
const { start, journalText, until } = cli;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const marker = () => join(dir, 'm', 'a.fault');
const log = () => (existsSync(`${marker()}.log`) ? readFileSync(`${marker()}.log`, 'utf8') : '');

describe('SIGKILL in each window, then halt', () => {
  it('between "intent journaled" and "call made": halt reverts nothing twice and nothing is left', async () => {
    const c = start('inject', 'test.marker', '--env', 'local', '--target', `dir=${join(dir, 'm')},names=a`, '--param', 'pauseBeforeMs=5000', '--duration', '5m', '--yes');
    await until(() => journalText().includes('"fault-intent"'), 'the intent');
    c.kill('SIGKILL');
    await exited(c);
    expect(existsSync(marker())).toBe(false);
    const halt = gameday('halt');
    expect(halt.status, halt.stderr).toBe(0);
    expect(journalText()).toContain('"already-reverted"');
    expect(existsSync(marker())).toBe(false);
    expect(log()).toBe('');
    expect(gameday('halt').status).toBe(0);
    expect(log()).toBe('');
  });

  it('between "call made" and "outcome journaled": halt reverts it exactly once', async () => {
    const c = start('inject', 'test.marker', '--env', 'local', '--target', `dir=${join(dir, 'm')},names=a`, '--param', 'pauseAfterMs=5000', '--duration', '5m', '--yes');
    await until(() => existsSync(marker()), 'the marker');
    c.kill('SIGKILL');
    await exited(c);
    expect(journalText()).not.toContain('"fault-injected"');
    const halt = gameday('halt');
    expect(halt.status, halt.stderr).toBe(0);
    expect(existsSync(marker())).toBe(false);
    expect(gameday('halt').status).toBe(0);
    expect(log()).toBe('inject f1-a\nrevert f1-a\n');
    const status = gameday('status', '--json');
    expect(JSON.parse(status.stdout).drills).toEqual([]);
  });
});

describe('faults expire and Ctrl-C reverts', () => {
  it('a detached fault is reverted at its deadline by the deadline keeper', async () => {
    const r = gameday('inject', 'test.marker', '--env', 'local', '--target', `dir=${join(dir, 'm')},names=a`, '--duration', '2s', '--yes');
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(marker())).toBe(true);
    await until(() => !existsSync(marker()), 'the deadline revert', 15_000);
    await until(() => journalText().includes('"reason":"deadline"'), 'the journaled reason');
    expect(log()).toBe('inject f1-a\nrevert f1-a\n');
    // the keeper closes the drill and exits by itself (and must be gone before the directory is removed)
    const pid = Number(/"type":"reaper-started","pid":(\d+)/.exec(journalText())?.[1]);
    expect(pid).toBeGreaterThan(0);
    await until(() => journalText().includes('"drill-ended"') && !alive(pid), 'the deadline keeper to finish');
  });

  it('Ctrl-C on inject --wait reverts and exits 130', async () => {
    const c = start('inject', 'test.marker', '--env', 'local', '--target', `dir=${join(dir, 'm')},names=a`, '--duration', '5m', '--wait', '--yes');
    await until(() => journalText().includes('"fault-verified"'), 'the verified fault');
    c.kill('SIGINT');
    expect(await exited(c)).toBe(130);
    expect(existsSync(marker())).toBe(false);
    expect(journalText()).toContain('"reason":"interrupted"');
  });
});
