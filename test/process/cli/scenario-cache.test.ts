/**
 * The validated-scenario cache (src/adapters/scenario-cache.ts) through the built CLI: a warm run
 * answers exactly as a cold one (knowing unchanged files by their identity on disk, unread), and anything a check depends on — the file's bytes, the runbook
 * heading it links to, a corrupt entry — is seen on the next run, never a stale answer.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, ensureBuilt, runCli } from '../../helpers/cli.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
let tmp: string;
let env: NodeJS.ProcessEnv;
const entries = () => readdirSync(join(tmp, 'cache', 'scenarios')).filter((f) => f.endsWith('.json'));

beforeAll(async () => {
  await ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'gd-scenario-cache-'));
  // a project of its own: scenarios + the runbook they link to (edited below)
  cpSync(join(FIXTURES, 'scenarios'), join(tmp, 'scenarios'), { recursive: true });
  cpSync(join(FIXTURES, 'runbooks'), join(tmp, 'runbooks'), { recursive: true });
  env = cliEnv({ state: join(tmp, 'state'), cache: join(tmp, 'cache') });
  await pastRacyWindow(); // files changed within RACY_MS are read, not known by identity
}, 300_000);

const pastRacyWindow = () => new Promise((r) => setTimeout(r, 1100));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (...args: string[]) => runCli(args, { cwd: tmp, env });

describe('validated-scenario cache', () => {
  it('a warm list, show and validate say exactly what a cold one says, from entries under the cache dir', () => {
    const cold = [run('list', '--json'), run('show', 'checkout-pods-down'), run('validate')];
    expect(cold.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(entries()).toHaveLength(4); // two per scenario file: by its bytes, and by its identity on disk
    const warm = [run('list', '--json'), run('show', 'checkout-pods-down'), run('validate')];
    expect(warm.map((r) => [r.code, r.stdout, r.stderr])).toEqual(cold.map((r) => [r.code, r.stdout, r.stderr]));
    expect(entries()).toHaveLength(4);
    // and as with no cache at all
    const none = runCli(['list', '--json'], { cwd: tmp, env: { ...env, GAMEDAY_NO_SCENARIO_CACHE: '1' } });
    expect(none.stdout).toBe(cold[0]!.stdout);
  });

  it('a file rewritten with the same bytes (a checkout, a copy) is a hit by its bytes, then known by its new identity', async () => {
    const file = join(tmp, 'scenarios', 'checkout-pods-down.yaml');
    const before = run('list', '--json');
    const count = entries().length;
    const text = readFileSync(file);
    rmSync(file);
    writeFileSync(file, text); // a new inode, new times, the same bytes
    await pastRacyWindow();
    const after = run('list', '--json');
    expect([after.code, after.stdout, after.stderr]).toEqual([before.code, before.stdout, before.stderr]);
    expect(entries()).toHaveLength(count + 1); // the bytes' entry rewritten in place, one for the new identity
    expect(run('list', '--json').stdout).toBe(before.stdout);
    expect(entries()).toHaveLength(count + 1);
  });

  it('an edited scenario is checked again', () => {
    const file = join(tmp, 'scenarios', 'checkout-pods-down.yaml');
    const text = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, text.replace(/^title: .*$/m, 'title: Renamed for the cache test'));
      expect(JSON.parse(run('list', '--json').stdout).map((s: { title: string }) => s.title)).toContain('Renamed for the cache test');
    } finally {
      writeFileSync(file, text);
    }
  });

  it('a renamed runbook heading is seen although the scenario did not change', () => {
    expect(run('validate').code).toBe(0);
    const runbook = join(tmp, 'runbooks', 'checkout.md');
    const text = readFileSync(runbook, 'utf8');
    try {
      writeFileSync(runbook, text.replace(/^(#+\s*)Pods not ready/im, '$1Something else'));
      const r = run('validate');
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/runbook: no heading "#pods-not-ready" in runbooks\/checkout\.md/);
    } finally {
      writeFileSync(runbook, text);
    }
    expect(run('validate').code).toBe(0);
  });

  it('a corrupt entry is a miss, not an error', () => {
    const before = run('list', '--json');
    for (const e of entries()) writeFileSync(join(tmp, 'cache', 'scenarios', e), '{"value": {"file": "x", "pro');
    const after = run('list', '--json');
    expect([after.code, after.stdout, after.stderr]).toEqual([before.code, before.stdout, before.stderr]);
  });
});
