/**
 * Property (issue 16): whatever command line a user types — prototype names as kinds or
 * environments, numbers in the wrong notation, durations past a timer's limit, non-http URLs,
 * 5,000-character values — gameday answers within a bound, with a documented exit code, at most
 * one error line, and never a crash. Runs the CLI in-process (src/cli/main.ts's runCommandLine).
 *
 * Nothing here can break anything: `inject` and `run` only ever name the critical environment
 * `prod` or unknown ones (refused before any client is built), `sandbox` is never called, and every
 * run has its own temporary project and state directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gamedayInProcess } from '../../helpers/in-process-cli.js';
import { writeMarkerScenario } from '../../helpers/cli.js';
import { cliHolds, hostileText, PROTOTYPE_NAMES } from '../../helpers/hostile.js';

const RUNS = 1000;
let cwd: string;
const saved = { ...process.env };

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'gd-prop-args-'));
  mkdirSync(join(cwd, 'markers'));
  writeFileSync(join(cwd, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n  prod:\n    critical: true\n');
  writeMarkerScenario(cwd, 'marker-drill', [{ dir: join(cwd, 'markers'), names: 'a', duration: '5m' }], '10m');
  Object.assign(process.env, { GAMEDAY_ENABLE_TEST_INJECTORS: '1', GAMEDAY_STATE_DIR: join(cwd, 'state'), GAMEDAY_CACHE: join(cwd, 'cache'), NO_COLOR: '1' });
  delete process.env.GAMEDAY_CONFIG;
});
afterAll(() => {
  process.env = saved;
  rmSync(cwd, { recursive: true, force: true });
});

const value = fc.oneof({ weight: 4, arbitrary: hostileText }, { weight: 1, arbitrary: fc.constantFrom('lab', 'prod', 'marker-drill', 'test.marker', 'md', 'json') });
const safeEnv = fc.oneof(fc.constant('prod'), fc.constantFrom(...PROTOTYPE_NAMES, 'nope', ''), hostileText.filter((s) => s !== 'lab'));
const flag = (name: string, v: fc.Arbitrary<string> = value) => fc.option(v.map((x) => [name, x]), { nil: undefined });
const seq = (...parts: fc.Arbitrary<string[] | undefined>[]) => fc.tuple(...parts).map((ps) => ps.flatMap((p) => p ?? []));

/** Command lines by command, with hostile positional arguments and flag values. */
const commandLine: fc.Arbitrary<string[]> = fc.oneof(
  seq(fc.constant(['validate']), fc.array(value, { maxLength: 3 })),
  seq(fc.constant(['show']), value.map((v) => [v]), flag('--dir')),
  seq(fc.constant(['list']), fc.option(fc.constant(['--kinds']), { nil: undefined }), flag('--dir')),
  seq(fc.constant(['plan']), value.map((v) => [v]), flag('--env', fc.oneof(fc.constant('lab'), safeEnv)), flag('--seed'), flag('--dir')),
  seq(fc.constant(['inject']), value.map((v) => [v]), fc.constant(['--yes']), safeEnv.map((e) => ['--env', e]), flag('--target'), flag('--param'), flag('--param'), flag('--duration'), flag('--seed')),
  seq(fc.constant(['run']), value.map((v) => [v]), fc.constant(['--yes']), safeEnv.map((e) => ['--env', e]), flag('--seed'), flag('--report')),
  seq(fc.constant(['status']), flag('--env'), fc.option(fc.constant(['--json']), { nil: undefined })),
  seq(fc.constant(['history']), flag('--env'), flag('--scenario')),
  seq(fc.constant(['halt']), flag('--env'), flag('--reason'), fc.option(fc.constant(['--clear']), { nil: undefined })),
  seq(fc.constant(['recover']), value.map((v) => [v])),
  seq(fc.constant(['report']), value.map((v) => [v]), flag('--format'), flag('--out')),
  seq(fc.constant(['_reap']), value.map((v) => [v]), flag('--at')),
  seq(fc.constant(['rbac']), fc.array(value, { maxLength: 2 })),
  seq(fc.constant(['iam']), fc.array(value, { maxLength: 2 }), flag('--format'), flag('--account'), flag('--env')),
  // unknown commands, flags without values, stray arguments
  fc.array(value, { minLength: 1, maxLength: 4 }),
);

describe('CLI arguments (property)', () => {
  it(`${RUNS} hostile command lines: bounded, documented exit codes, one error line, no crash`, async () => {
    const started = Date.now();
    let runs = 0;
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(commandLine, async (argv) => {
        // `--out` must stay inside the temporary project
        const safe = argv.map((a, i) => (argv[i - 1] === '--out' || argv[i - 1] === '--report' ? join(cwd, 'out', a.replace(/[/\0]/g, '_').slice(0, 50) || 'x') : a));
        const r = await gamedayInProcess(safe, { cwd, timeoutMs: 10_000 });
        runs += 1;
        codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        cliHolds(r, `gameday ${JSON.stringify(safe).slice(0, 300)}`);
      }),
      { numRuns: RUNS, seed: Number(process.env.FC_SEED ?? 16), endOnFailure: true },
    );
    expect(runs).toBeGreaterThanOrEqual(RUNS);
    console.log(`cli-args: ${runs} command lines in ${Date.now() - started} ms; exit codes ${JSON.stringify(Object.fromEntries(codes))}`);
  }, 120_000);

  it('the values the issue names are refused before any network call, each with one line', async () => {
    const bad: [string[], RegExp][] = [
      [['plan', 'marker-drill', '--env', 'lab', '--seed', 'abc'], /--seed must be a whole number/],
      [['plan', 'marker-drill', '--env', 'lab', '--seed', '-5'], /--seed must be a whole number/],
      [['plan', 'marker-drill', '--env', 'lab', '--seed', '12345678901234567890123'], /--seed must be a whole number/],
      [['inject', 'test.marker', '--env', 'lab', '--target', 'dir=/tmp/x', '--param', 'pauseBeforeMs=1e3', '--yes'], /pauseBeforeMs/],
      [['inject', 'test.marker', '--env', 'lab', '--target', 'dir=/tmp/x', '--param', 'pauseBeforeMs=0x10', '--yes'], /pauseBeforeMs/],
      [['inject', 'test.marker', '--env', 'lab', '--target', 'dir=/tmp/x', '--param', 'pauseBeforeMs=true', '--yes'], /pauseBeforeMs/],
      [['inject', 'test.marker', '--env', 'lab', '--target', 'dir=/tmp/x', '--duration', '99999999h', '--yes'], /too long/],
      [['_reap', '20261203-000000-x-0000', '--at', 'abc'], /--at must be a time/],
      [['inject', '__proto__', '--env', 'lab', '--yes'], /unknown fault kind "__proto__"/],
      [['inject', 'constructor', '--env', 'lab', '--yes'], /unknown fault kind "constructor"/],
      [['plan', 'marker-drill', '--env', 'toString'], /unknown environment "toString"/],
      [['plan', 'marker-drill', '--env', 'hasOwnProperty'], /unknown environment "hasOwnProperty"/],
      [['plan', 'marker-drill', '--env', 'x'.repeat(5000)], /unknown environment "x+…"/],
      [['halt', '--env', 'lab-typo'], /unknown environment "lab-typo"/],
      [['report', '20261203-000000-x-0000', '--out', '/nonexistent/r.md'], /no journal for drill|cannot write the report/],
      // checked before the drill starts, not after it ran
      [['run', 'marker-drill', '--env', 'lab', '--yes', '--report', '/nonexistent/r.xml'], /^error: cannot write the report to \/nonexistent\/r\.xml: no such file or directory/m],
    ];
    for (const [argv, message] of bad) {
      const r = await gamedayInProcess(argv, { cwd });
      cliHolds(r, argv.join(' '));
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(message);
    }
  });
});
