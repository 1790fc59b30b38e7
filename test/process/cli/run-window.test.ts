/**
 * Run windows through the built CLI: outside every window of an environment, `inject`, `plan` and
 * `run` refuse (exit 3) before anything is touched or journaled, naming the guard and the local
 * time; inside a window the same commands go ahead.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, ensureBuilt, runCli, writeMarkerScenario } from '../../helpers/cli.js';

let tmp: string;
let env: NodeJS.ProcessEnv;
let state: string;
let markers: string;
const gd = (args: string[]) => runCli(args, { cwd: tmp, env });
const drills = () => (existsSync(join(state, 'drills')) ? readdirSync(join(state, 'drills')) : []);
const hh = (h: number) => `${String(((h % 24) + 24) % 24).padStart(2, '0')}`;

beforeAll(async () => {
  await ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'gd-window-'));
  state = join(tmp, 'state');
  markers = join(tmp, 'markers');
  mkdirSync(join(tmp, 'cache'));
  // `closed`: one minute a day, twelve hours from now; `open`: the whole day in two windows
  const far = hh(new Date().getUTCHours() + 12);
  writeFileSync(
    join(tmp, 'gameday.yaml'),
    [
      'environments:',
      '  closed:',
      '    critical: false',
      '    guards:',
      `      windows: [{ days: daily, from: "${far}:00", to: "${far}:01" }]`,
      '  open:',
      '    critical: false',
      '    guards:',
      '      windows: [{ days: daily, from: "00:00", to: "12:00" }, { days: daily, from: "12:00", to: "00:00" }]',
      '',
    ].join('\n'),
  );
  writeMarkerScenario(tmp, 'marker-drill', [{ dir: markers, names: 'w', duration: '2s' }]);
  env = cliEnv({ state, cache: join(tmp, 'cache') }, { GAMEDAY_ENABLE_TEST_INJECTORS: '1' });
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('run windows', () => {
  it('outside every window: inject exits 3 naming the guard and the local time; nothing is created or journaled', () => {
    const r = gd(['inject', 'test.marker', '--env', 'closed', '--target', `dir=${markers},names=a`, '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ {2}run-window: outside every run window of "closed" \(daily \d\d:00–\d\d:01 UTC\): it is \w{3} \d\d:\d\d in UTC$/m);
    expect(r.stderr).toMatch(/^hint: start it inside a window, or change guards\.windows/m);
    expect(existsSync(markers)).toBe(false);
    expect(drills()).toEqual([]);
  });

  it('outside every window: plan shows the refusal and run refuses before injecting', () => {
    const plan = gd(['plan', 'marker-drill', '--env', 'closed', '--json']);
    const verdicts = (JSON.parse(plan.stdout) as { guards: { guard: string; ok: boolean }[] }).guards;
    expect(verdicts.find((v) => v.guard === 'run-window')).toMatchObject({ ok: false });
    const run = gd(['run', 'marker-drill', '--env', 'closed', '--yes']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/run-window: outside every run window of "closed"/);
    expect(existsSync(markers)).toBe(false);
  });

  it('inside a window the same inject goes ahead (the refusal above is the guard, not a broken setup)', () => {
    const r = gd(['inject', 'test.marker', '--env', 'open', '--target', `dir=${markers},names=b`, '--duration', '10m', '--yes']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(existsSync(join(markers, 'b.fault'))).toBe(true);
    const id = /drill id: (\S+)/.exec(r.stdout)![1]!;
    expect(gd(['recover', id]).code).toBe(0);
    expect(existsSync(join(markers, 'b.fault'))).toBe(false);
  });
});
