/**
 * Property (issue 16): mutated environment files (`gameday.yaml`) — hostile values at any field,
 * prototype names as environment names, `stateDir: /dev/null`, non-http endpoints, durations past
 * a timer's limit, circular YAML, a directory or a FIFO in its place — loaded by `status`, `plan`
 * and `halt --env` (in-process). Every run answers in time with a documented exit code, one error
 * line, and a config problem names the file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { gamedayInProcess } from '../../helpers/in-process-cli.js';
import { writeMarkerScenario } from '../../helpers/cli.js';
import { cliHolds, hostileText, hostileValue, PROTOTYPE_NAMES } from '../../helpers/hostile.js';

const RUNS = 1000;
let cwd: string;
const saved = { ...process.env };

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'gd-prop-env-'));
  writeMarkerScenario(cwd, 'marker-drill', [{ dir: join(cwd, 'markers'), names: 'a', duration: '5m' }], '10m');
  Object.assign(process.env, { GAMEDAY_ENABLE_TEST_INJECTORS: '1', GAMEDAY_CACHE: join(cwd, 'cache'), NO_COLOR: '1' });
  delete process.env.GAMEDAY_STATE_DIR; // stateDir comes from the file under test
  delete process.env.GAMEDAY_CONFIG;
});
afterAll(() => {
  process.env = saved;
  rmSync(cwd, { recursive: true, force: true });
});

const base = () => ({
  stateDir: 'state',
  environments: {
    lab: {
      critical: false,
      aws: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' },
      guards: { maxTargets: 3, maxPercent: 50, protectedNamespaces: ['payments'], windows: [{ days: 'mon-fri', from: '10:00', to: '16:00', timezone: 'Europe/Dublin' }] },
      defaultDuration: '10m',
      maxDuration: '1h',
    },
    prod: { critical: true },
  },
});

function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [prefix];
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  return [prefix, ...entries.flatMap(([k, x]) => paths(x, [...prefix, k]))];
}
const ALL_PATHS = paths(base()).filter((p) => p.length > 0);

const edit = fc.oneof(
  { weight: 5, arbitrary: fc.record({ path: fc.constantFrom(...ALL_PATHS), value: hostileValue }) },
  { weight: 1, arbitrary: fc.record({ path: fc.constantFrom(...ALL_PATHS), value: fc.constant(undefined) }) },
  { weight: 2, arbitrary: fc.record({ path: fc.constantFrom(['environments'], ['environments', 'lab']).chain((p) => fc.constantFrom(...PROTOTYPE_NAMES, 'staging', 'x').map((k) => [...p, k])), value: hostileValue }) },
  { weight: 1, arbitrary: fc.record({ path: fc.constant<(string | number)[]>(['stateDir']), value: fc.constantFrom('/dev/null', 'gameday.yaml', '/proc/self', '') }) },
);

function apply(doc: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let parent: unknown = doc;
  for (const k of path.slice(0, -1)) parent = parent && typeof parent === 'object' ? (parent as Record<string, unknown>)[k as string] : undefined;
  if (!parent || typeof parent !== 'object') return;
  const key = String(path[path.length - 1]);
  if (value === undefined) delete (parent as Record<string, unknown>)[key];
  else Object.defineProperty(parent, key, { value, enumerable: true, configurable: true, writable: true });
}

const textDamage = fc.oneof(
  { weight: 6, arbitrary: fc.constant((t: string) => t) },
  { weight: 1, arbitrary: fc.constant((t: string) => `${t}loop: &a [*a]\n`) },
  { weight: 1, arbitrary: fc.constant((t: string) => t.replace('environments:', 'environments: !!binary')) },
  { weight: 1, arbitrary: fc.nat({ max: 1000 }).map((i) => (t: string) => t.slice(0, i % (t.length + 1)) + t.slice((i % (t.length + 1)) + 1)) },
);

const command = fc.oneof(
  fc.constant<string[]>(['status']),
  fc.constant<string[]>(['plan', 'marker-drill', '--env', 'lab']),
  fc.constantFrom(...PROTOTYPE_NAMES, 'lab', 'prod', 'staging').map((e) => ['plan', 'marker-drill', '--env', e]),
  hostileText.map((e) => ['halt', '--env', e]),
  fc.constant<string[]>(['history']),
);

describe('environment files (property)', () => {
  it(`${RUNS} mutated gameday.yaml files under status, plan, halt and history: bounded, documented exit codes, one error line`, async () => {
    const started = Date.now();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { maxLength: 3 }), textDamage, command, async (edits, damage, argv) => {
        runs += 1;
        const project = join(cwd, `p${runs % 50}`);
        mkdirSync(join(project, 'scenarios'), { recursive: true });
        writeFileSync(join(project, 'scenarios', 'marker-drill.yaml'), 'id: marker-drill\ntitle: M\nsummary: S\nbriefing: B\nfaults:\n  - { kind: test.marker, target: { dir: markers }, duration: 5m }\ntimeLimit: 10m\n');
        const doc = base() as unknown as Record<string, unknown>;
        for (const e of edits) apply(doc, e.path, e.value);
        writeFileSync(join(project, 'gameday.yaml'), damage(stringify(doc)));
        const r = await gamedayInProcess(argv, { cwd: project, timeoutMs: 10_000 });
        cliHolds(r, `${argv.join(' ')} with ${JSON.stringify(edits).slice(0, 300)}`);
        if (r.code === 2 && /invalid config/.test(r.stderr)) expect(r.stderr).toMatch(/gameday\.yaml:\d+:\d+: /);
      }),
      { numRuns: RUNS, seed: Number(process.env.FC_SEED ?? 16), endOnFailure: true },
    );
    console.log(`environment: ${runs} mutated environment files in ${Date.now() - started} ms`);
    expect(runs).toBeGreaterThanOrEqual(RUNS);
  }, 120_000);

  it('the classes the issue names: refused in one line before any network call', async () => {
    const project = join(cwd, 'classes');
    mkdirSync(project, { recursive: true });
    const cases: [string, RegExp][] = [
      ['environments:\n  lab:\n    critical: false\n    maxDuration: 99999999h\n', /maxDuration: "99999999h" is too long/],
      ['environments:\n  lab:\n    critical: false\n    aws: { region: eu-west-1, endpoint: "ftp://x" }\n', /aws\.endpoint: write an http/],
      ['environments:\n  lab:\n    critical: false\n    aws: { region: eu-west-1, endpoint: "file:///etc/passwd" }\n', /aws\.endpoint: write an http/],
      ['environments:\n  lab:\n    critical: false\n    aws: { region: eu-west-1, endpoint: "javascript:alert(1)" }\n', /aws\.endpoint: write an http/],
      ['stateDir: /dev/null\nenvironments:\n  lab:\n    critical: false\n', /the state directory \/dev\/null is not a directory/],
      ['environments: &e\n  lab: *e\n', /YAML: /],
    ];
    for (const [text, message] of cases) {
      writeFileSync(join(project, 'gameday.yaml'), text);
      const r = await gamedayInProcess(['halt'], { cwd: project });
      cliHolds(r, text);
      expect(r.code, text).toBe(2);
      expect(r.stderr, text).toMatch(message);
    }
    // the config file as a directory, and as a FIFO (which would block a plain read forever)
    rmSync(join(project, 'gameday.yaml'));
    mkdirSync(join(project, 'gameday.yaml'));
    let r = await gamedayInProcess(['status'], { cwd: project });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: config file .*gameday\.yaml is a directory, not a file$/m);
    rmSync(join(project, 'gameday.yaml'), { recursive: true });
    expect(spawnSync('mkfifo', [join(project, 'gameday.yaml')]).status).toBe(0);
    r = await gamedayInProcess(['status'], { cwd: project, timeoutMs: 5_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a named pipe \(FIFO\), not a file/);
  });
});
