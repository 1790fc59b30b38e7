/**
 * `gameday halt` in one terminal while drills are live in others (the real CLI, the test injector):
 * a running `gameday run` and an attached `gameday inject --wait` stop within a second or two, with
 * everything reverted, one `drill-ended: halted` each, exit 3 — and a fault scheduled for later in
 * the drill is never injected.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import { BIN, cliEnv, ensureBuilt, runCli, writeMarkerScenario } from '../../helpers/cli.js';

let tmp: string;
let env: NodeJS.ProcessEnv;
let state: string;
const markersOf = (d: string) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.fault')) : []);

function start(args: string[]): { exited: Promise<{ code: number | null; stderr: string }> } {
  const c = spawn(process.execPath, [BIN, ...args], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  c.stderr.on('data', (d) => (stderr += String(d)));
  c.stdout.resume();
  const killer = setTimeout(() => c.kill('SIGKILL'), 60_000); // bounded: never outlives the test
  return { exited: new Promise((resolve) => c.on('close', (code) => (clearTimeout(killer), resolve({ code, stderr })))) };
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'gd-halt-live-'));
  state = join(tmp, 'state');
  mkdirSync(join(tmp, 'cache'));
  writeFileSync(join(tmp, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n  lab2:\n    critical: false\n');
  writeMarkerScenario(
    tmp,
    'two-faults',
    [
      { dir: join(tmp, 'run-markers'), names: 'now', duration: '10m' },
      { dir: join(tmp, 'run-markers'), names: 'later', duration: '10m', at: '20s' },
    ],
    '1m',
  );
  env = cliEnv({ state, cache: join(tmp, 'cache') }, { GAMEDAY_ENABLE_TEST_INJECTORS: '1' });
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('gameday halt while drills are live', () => {
  it('stops a running `run` and an attached `inject --wait`: reverted, ended "halted" once, exit 3; the later fault never lands', async () => {
    const run = start(['run', 'two-faults', '--env', 'lab', '--yes']);
    const wait = start(['inject', 'test.marker', '--env', 'lab2', '--target', `dir=${join(tmp, 'wait-markers')},names=w`, '--duration', '10m', '--wait', '--yes']);
    await until('both faults to be in place', () => markersOf(join(tmp, 'run-markers')).length === 1 && markersOf(join(tmp, 'wait-markers')).length === 1);

    const halt = runCli(['halt', '--reason', 'incident 7'], { cwd: tmp, env });
    expect(halt.code).toBe(0);
    const [r, w] = await Promise.all([run.exited, wait.exited]);

    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: drill stopped: the halt flag was set \(incident 7\); every active fault was reverted$/m);
    expect(w.code).toBe(3);
    expect(w.stderr).toMatch(/^error: stopped: the halt flag was set \(incident 7\); every fault of this drill was reverted$/m);
    expect(markersOf(join(tmp, 'run-markers'))).toEqual([]);
    expect(markersOf(join(tmp, 'wait-markers'))).toEqual([]);

    const store = new JournalStore(state);
    const journals = store.list().map((id) => store.read(id).events);
    expect(journals).toHaveLength(2);
    for (const events of journals) expect(events.filter((e) => e.type === 'drill-ended').map((e) => e.type === 'drill-ended' && e.reason)).toEqual(['halted']);
    const drill = journals.find((events) => events.some((e) => e.type === 'drill-started' && e.scenario === 'two-faults'))!;
    expect(drill.filter((e) => e.type === 'fault-injected')).toHaveLength(1);

    // and the flag keeps new drills out until cleared
    expect(runCli(['run', 'two-faults', '--env', 'lab', '--yes'], { cwd: tmp, env }).code).toBe(3);
    expect(runCli(['halt', '--clear'], { cwd: tmp, env }).code).toBe(0);
  });
});
