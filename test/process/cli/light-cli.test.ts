/**
 * The light CLI (src/cli/light.ts, built as dist/bundle/light.cjs): bin/gameday.js runs `list`,
 * `show`, `validate` and `runbook` through it — one CommonJS file, no ES module loader (issue 15's
 * start-up) — and it hands the command line to the full CLI whenever it needs a module it left
 * out (a cold scenario to check, `list --kinds`). Shown here: a warm run is served by the light
 * file alone; a handed-over run prints once and says what the full CLI says; for every kind of
 * command line, the launcher's answer (stdout, stderr, exit code) is the full CLI's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv, ensureBuilt, ROOT, runCli } from '../../helpers/cli.js';

const SCENARIOS = resolve(import.meta.dirname, '../../fixtures/scenarios');
const BROKEN = resolve(import.meta.dirname, '../../fixtures/broken-scenarios');
const LIGHT = join(ROOT, 'dist/bundle/light.cjs');
let tmp: string;

beforeAll(async () => {
  await ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'gd-light-cli-'));
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const envWith = (cache: string, extra: Record<string, string> = {}) => cliEnv({ state: join(tmp, 'state'), cache }, extra);

/** Runs the launcher and says which of our dist files it loaded: CommonJS (require.cache at exit) and ES modules (a loader hook). */
function runTraced(args: string[], cache: string) {
  const required = join(tmp, 'required.log');
  const probe = join(tmp, 'probe.cjs');
  writeFileSync(probe, "process.on('exit', () => require('node:fs').writeFileSync(process.env.GD_REQUIRED_LOG, Object.keys(require.cache).join('\\n')));\n");
  const loads = join(tmp, 'loads.log');
  rmSync(loads, { force: true });
  const register = resolve(import.meta.dirname, '../../fixtures/block-heavy/register.mjs');
  const r = runCli(args, { cwd: tmp, env: envWith(cache, { GD_REQUIRED_LOG: required, GD_LOAD_LOG: loads, GD_BLOCK_LOG: join(tmp, 'blocked.log') }), nodeArgs: ['--require', probe, '--import', register] });
  const esm = existsSync(loads) ? readFileSync(loads, 'utf8').split('\n').filter((u) => u.includes('/dist/')) : [];
  const cjs = readFileSync(required, 'utf8').split('\n').filter((f) => f.includes('/dist/'));
  return { ...r, esm, cjs };
}

/** The full CLI, in-process of a plain node: dist/bundle/main.js's main(), as before the light build. */
function runFull(args: string[], cache: string) {
  const code = `const { main } = await import(${JSON.stringify(join(ROOT, 'dist/bundle/main.js'))}); process.exitCode = await main(${JSON.stringify(args)});`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: tmp, env: envWith(cache), encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the light CLI', () => {
  it.each([[['list', '--dir', SCENARIOS]], [['show', 'checkout-pods-down', '--dir', SCENARIOS]], [['validate', SCENARIOS]], [['runbook', 'checkout-pods-down', '--dir', SCENARIOS]]])(
    'serves a warm %j from light.cjs alone, and hands a cold one to the full CLI',
    (args) => {
      const cache = mkdtempSync(join(tmp, 'cache-'));
      const cold = runTraced(args, cache);
      expect(cold.code).toBe(0);
      expect(cold.cjs).toContain(LIGHT); // tried first…
      expect(cold.esm.some((u) => u.endsWith('/dist/bundle/main.js'))).toBe(true); // …then handed over
      const warm = runTraced(args, cache);
      expect(warm.code).toBe(0);
      expect(warm.cjs).toContain(LIGHT);
      expect(warm.esm).toEqual([]);
      // the same answer either way, printed once
      expect(warm.stdout).toBe(cold.stdout);
      expect(warm.stderr).toBe(cold.stderr);
      expect(warm.stdout.length).toBeGreaterThan(0);
    },
  );

  it('`list --kinds` (the fault kinds live outside the light build) is handed over and printed once', () => {
    const r = runTraced(['list', '--kinds'], mkdtempSync(join(tmp, 'cache-')));
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^KIND\s+REVERSIBLE/gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/^k8s\.pod-kill\s/m);
    expect(r.esm.some((u) => u.endsWith('/dist/bundle/main.js'))).toBe(true);
  });

  it.each([
    [['list', '--bogus']],
    [['list', '--json', '--dir', SCENARIOS]],
    [['lsit']],
    [['show']],
    [['show', 'no-such-scenario', '--dir', SCENARIOS]],
    [['show', '--help']],
    [['validate', BROKEN]],
    [['validate', 'no-such-dir']],
    [['runbook', 'checkout-pods-down', '--dir', SCENARIOS]],
    [['list', '--dir', BROKEN]],
  ])('answers %j exactly as the full CLI does', (args) => {
    const cache = mkdtempSync(join(tmp, 'cache-'));
    const full = runFull(args, cache);
    // cold (handed over where it must be), then warm (the light CLI where it can)
    for (let i = 0; i < 2; i++) {
      const r = runCli(args, { cwd: tmp, env: envWith(cache) });
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual(full);
    }
  });

  it('the launcher sends to it exactly the commands light.ts serves', () => {
    const { LIGHT_COMMANDS } = createRequire(import.meta.url)(LIGHT) as { LIGHT_COMMANDS: string[] };
    const launcher = readFileSync(BIN, 'utf8').match(/const LIGHT_COMMANDS = new Set\((\[[^\]]*\])\)/);
    expect(launcher).not.toBeNull();
    expect(JSON.parse(launcher![1]!.replaceAll("'", '"'))).toEqual(LIGHT_COMMANDS);
  });

  it('contains no YAML parser, no schemas and no heavy client (those stay behind the hand-over)', () => {
    const text = readFileSync(LIGHT, 'utf8');
    expect(text.length).toBeLessThan(200_000);
    for (const heavy of [/\bclass ZodType\b|\bZodObject\b/, /\bYAMLMap\b/, /require\("@kubernetes|require\("@aws-sdk/]) expect(text).not.toMatch(heavy);
    expect(text).toMatch(/not in the light build/);
  });
});
