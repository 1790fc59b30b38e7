/**
 * `--help`, `list`, `show`, `runbook`, `validate`, `rbac`, `schedule export`, `history` and `status` must not import the Kubernetes client or the
 * AWS SDK (they take about a second to load). Each command runs under a module-resolution hook
 * that refuses those packages and logs every attempt; the commands must succeed with an empty log.
 * Controls: the same hook does stop a direct import, and a command that needs a client.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, ensureBuilt, ROOT, runCli } from '../../helpers/cli.js';

const REGISTER = resolve(import.meta.dirname, '../../fixtures/block-heavy/register.mjs');
const SCENARIOS = resolve(import.meta.dirname, '../../fixtures/scenarios');
let tmp: string;
let log: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'gd-light-'));
  log = join(tmp, 'blocked.log');
  mkdirSync(join(tmp, 'cache'));
  writeFileSync(join(tmp, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n    aws:\n      region: eu-west-1\n      endpoint: http://127.0.0.1:1\n');
  env = cliEnv({ state: join(tmp, 'state'), cache: join(tmp, 'cache') }, { GD_BLOCK_LOG: log });
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const blocked = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
const light = (args: string[]) => {
  rmSync(log, { force: true });
  return runCli(args, { cwd: tmp, env, nodeArgs: ['--import', REGISTER] });
};

describe('light commands load no heavy client', () => {
  it.each([
    [['--help']],
    [['--version']],
    [['list', '--dir', SCENARIOS]],
    [['list', '--json', '--dir', SCENARIOS]],
    [['list', '--kinds']],
    [['show', 'checkout-pods-down', '--dir', SCENARIOS]],
    [['runbook', 'checkout-pods-down', '--dir', SCENARIOS]],
    [['validate', SCENARIOS]],
    [['rbac', 'checkout-pods-down', '--dir', SCENARIOS]],
    [['schedule', 'export', 'checkout-pods-down', '--env', 'lab', '--cron', '0 14 * * 3', '--dir', SCENARIOS]],
    [['history']],
    [['status']],
    [['status', '--json']],
  ])('gameday %j', (args) => {
    const r = light(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(blocked()).toBe('');
  });

  it('validate of broken files stays light too (exit 2 for the problems, not for an import)', () => {
    const r = light(['validate', resolve(import.meta.dirname, '../../fixtures/broken-scenarios')]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/light-imports/);
    expect(blocked()).toBe('');
  });
});

describe('the hook can fail a check (controls)', () => {
  it.each(['@aws-sdk/client-rds', '@kubernetes/client-node'])('a direct import of %s fails under the hook and works without it', (pkg) => {
    rmSync(log, { force: true });
    const code = `await import(${JSON.stringify(pkg)})`;
    const under = spawnSync(process.execPath, ['--import', REGISTER, '--input-type=module', '-e', code], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(under.status).not.toBe(0);
    expect(under.stderr).toMatch(new RegExp(`light-imports: ${pkg.replace(/[/.]/g, '\\$&')} is blocked`));
    expect(blocked()).toMatch(new RegExp(`^${pkg.replace(/[/.]/g, '\\$&')} from `, 'm'));
    const free = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(free.status).toBe(0);
  });

  it('the bundled Kubernetes client (dist/bundle/kube-client.js) fails under the hook and loads without it', () => {
    rmSync(log, { force: true });
    const code = `await import(${JSON.stringify(resolve(ROOT, 'dist/bundle/kube-client.js'))})`;
    const under = spawnSync(process.execPath, ['--import', REGISTER, '--input-type=module', '-e', code], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(under.status).not.toBe(0);
    expect(blocked()).toMatch(/kube-client\.js from /);
    const free = spawnSync(process.execPath, ['--input-type=module', '-e', `${code}.then((m) => { if (typeof m.KubeConfig !== 'function') process.exit(3); })`], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(free.status).toBe(0);
  });

  it('a command that needs the AWS SDK (inject aws.ec2-stop) is stopped by the hook', () => {
    const r = light(['inject', 'aws.ec2-stop', '--env', 'lab', '--target', 'id=i-0123456789abcdef0', '--yes']);
    expect(r.code).not.toBe(0);
    expect(blocked()).toMatch(/^@aws-sdk\//m);
  });
});

/**
 * Issue 15's start-up: on a warm run (every scenario in the validated-scenario cache), `list`,
 * `show`, `validate` and `runbook` load neither the YAML parser nor the schemas (zod), nor the
 * configuration's loader. The files a run loads — ES modules, logged by the hook, and CommonJS
 * ones (the light CLI, dist/bundle/light.cjs), listed from `require.cache` at exit by a preloaded
 * script — are read for those libraries' own class names. The control is a cold run of the same
 * command, which must load them (the light CLI hands it to the full one, src/cli/light.ts).
 */
describe('warm light commands load no YAML parser and no schemas', () => {
  const HEAVY_CODE = [/\bclass ZodType\b|\bZodObject\b/, /\bYAMLMap\b/];
  const loadedChunks = (args: string[], cache: string) => {
    const loads = join(tmp, 'loads.log');
    const required = join(tmp, 'required.log');
    const probe = join(tmp, 'required-probe.cjs');
    writeFileSync(probe, "process.on('exit', () => require('node:fs').writeFileSync(process.env.GD_REQUIRED_LOG, Object.keys(require.cache).join('\\n')));\n");
    rmSync(loads, { force: true });
    const r = runCli(args, { cwd: tmp, env: { ...env, GAMEDAY_CACHE: cache, GD_LOAD_LOG: loads, GD_REQUIRED_LOG: required }, nodeArgs: ['--import', REGISTER, '--require', probe] });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const esm = existsSync(loads) ? readFileSync(loads, 'utf8').split('\n').filter((u) => u.startsWith('file://')).map((u) => fileURLToPath(u)) : [];
    const cjs = readFileSync(required, 'utf8').split('\n');
    const files = [...esm, ...cjs].filter((f) => f.includes('/dist/'));
    expect(files.length).toBeGreaterThan(0);
    return files.map((f) => ({ file: f, heavy: HEAVY_CODE.filter((re) => re.test(readFileSync(f, 'utf8'))).map(String) })).filter((f) => f.heavy.length);
  };

  it.each([[['list', '--dir', SCENARIOS]], [['show', 'checkout-pods-down', '--dir', SCENARIOS]], [['validate', SCENARIOS]], [['runbook', 'checkout-pods-down', '--dir', SCENARIOS]]])('gameday %j', (args) => {
    const cache = mkdtempSync(join(tmp, 'cache-'));
    // cold: the scenarios are checked for real, which needs both (the control)
    expect([...new Set(loadedChunks(args, cache).flatMap((f) => f.heavy))].sort()).toEqual(HEAVY_CODE.map(String).sort());
    // warm: answered from the cache
    expect(loadedChunks(args, cache)).toEqual([]);
  });
});

/**
 * Issue 15's start-up, at the level of Node's own modules: the light commands load no
 * child_process (commander requires it for git-style executable subcommands, which gameday does
 * not have; the bundle makes that require lazy) and the main bundle imports builtins through
 * `process.getBuiltinModule`, never through an ES-module facade (which reads every export: fs's
 * `ReadStream` getter alone loads streams). Node's `process.moduleLoadList` is written at exit by
 * a preloaded script; the control shows the probe does see child_process when something loads it.
 */
describe('light commands load no child_process, and no builtin through an ES-module facade', () => {
  const modulesLoaded = (run: (env: NodeJS.ProcessEnv, nodeArgs: string[]) => void): string[] => {
    const out = join(tmp, 'modules.txt');
    const probe = join(tmp, 'modules-probe.cjs');
    writeFileSync(probe, "process.on('exit', () => require('node:fs').writeFileSync(process.env.GD_MODULES_OUT, process.moduleLoadList.join('\\n')));\n");
    rmSync(out, { force: true });
    run({ ...env, GD_MODULES_OUT: out }, ['--require', probe]);
    return readFileSync(out, 'utf8').split('\n');
  };

  it.each([[['list', '--dir', SCENARIOS]], [['show', 'checkout-pods-down', '--dir', SCENARIOS]], [['validate', SCENARIOS]], [['--help']]])('gameday %j', (args) => {
    const loaded = modulesLoaded((e, nodeArgs) => {
      const r = runCli(args, { cwd: tmp, env: e, nodeArgs });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });
    expect(loaded).toContain('NativeModule fs');
    expect(loaded.filter((m) => /\bchild_process\b/.test(m))).toEqual([]);
  });

  it('the probe sees child_process when it is loaded (control)', () => {
    const loaded = modulesLoaded((e, nodeArgs) => {
      const r = spawnSync(process.execPath, [...nodeArgs, '-e', "require('node:child_process')"], { cwd: ROOT, env: e, encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(0);
    });
    expect(loaded).toContain('NativeModule child_process');
  });

  it('the main bundle imports no builtin with an import statement (the kube client, bundled apart, may)', () => {
    const bundle = join(ROOT, 'dist/bundle');
    const files = readdirSync(bundle).filter((f) => f.endsWith('.js') && f !== 'kube-client.js');
    expect(files.length).toBeGreaterThan(5);
    const importing = files.filter((f) => /\bfrom\s*["']node:/.test(readFileSync(join(bundle, f), 'utf8')));
    expect(importing).toEqual([]);
    // the rewrite did happen (a bundle with no builtins at all would pass the line above)
    expect(files.some((f) => readFileSync(join(bundle, f), 'utf8').includes('process.getBuiltinModule("node:fs")'))).toBe(true);
  });
});
