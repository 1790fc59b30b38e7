/**
 * Property (issue 16): mutated scenarios — hostile values at any field (prototype names as kinds,
 * empty or boolean or list values where numbers are meant, durations past a timer's limit, non-http
 * URLs), deleted and added keys, circular and deep YAML, unknown tags, damaged bytes — given to
 * `gameday validate` and `gameday plan` (in-process). Every run answers in time with a documented
 * exit code; every problem is one `file:line:col: field: message` line at a real position; and a
 * scenario validate accepts also plans.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { gamedayInProcess } from '../../helpers/in-process-cli.js';
import { cliHolds, hostileValue, PROTOTYPE_NAMES } from '../../helpers/hostile.js';

const RUNS = 1000;
let cwd: string;
const saved = { ...process.env };

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'gd-prop-scenario-'));
  mkdirSync(join(cwd, 'scenarios'));
  mkdirSync(join(cwd, 'runbooks'));
  writeFileSync(join(cwd, 'runbooks', 'markers.md'), '# Markers\n\n## Marker files appear\n');
  writeFileSync(join(cwd, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n');
  Object.assign(process.env, { GAMEDAY_ENABLE_TEST_INJECTORS: '1', GAMEDAY_STATE_DIR: join(cwd, 'state'), GAMEDAY_CACHE: join(cwd, 'cache'), NO_COLOR: '1' });
});
afterAll(() => {
  process.env = saved;
  rmSync(cwd, { recursive: true, force: true });
});

/** A valid scenario of test.marker faults (plan resolves it without any backend). */
const base = (id: string) => ({
  id,
  title: 'Marker files appear',
  summary: 'The test injector writes marker files.',
  briefing: 'Something changed on disk.',
  difficulty: 'easy',
  faults: [{ kind: 'test.marker', target: { dir: 'markers', names: 'a+b' }, params: { pauseBeforeMs: 0 }, duration: '5m', at: '1m' }],
  steadyState: [{ name: 'site', type: 'http', url: 'http://127.0.0.1:9/healthz', timeout: '2s', interval: '5s' }],
  hints: ['Look at the folder', { text: 'ls markers', after: '2m' }],
  runbook: 'runbooks/markers.md#marker-files-appear',
  objectives: { detectWithin: '3m', recoverWithin: '5m' },
  timeLimit: '20m',
});

/** Every path into the base document, so a mutation can hit any field. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [prefix];
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  return [prefix, ...entries.flatMap(([k, x]) => paths(x, [...prefix, k]))];
}
const ALL_PATHS = paths(base('x')).filter((p) => p.length > 0 && p[0] !== 'id');

type Mutation = { op: 'set'; path: (string | number)[]; value: unknown } | { op: 'delete'; path: (string | number)[] } | { op: 'add'; path: (string | number)[]; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), path: fc.constantFrom(...ALL_PATHS), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...ALL_PATHS) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('add' as const), path: fc.constantFrom<(string | number)[]>([], ['faults', 0], ['faults', 0, 'params'], ['faults', 0, 'target'], ['objectives']), key: fc.constantFrom(...PROTOTYPE_NAMES, 'extra', 'count'), value: hostileValue }) },
);

function apply(doc: Record<string, unknown>, m: Mutation): void {
  const parentPath = m.op === 'add' ? m.path : m.path.slice(0, -1);
  let parent: unknown = doc;
  for (const k of parentPath) parent = parent && typeof parent === 'object' ? (parent as Record<string, unknown>)[k as string] : undefined;
  if (!parent || typeof parent !== 'object') return;
  const p = parent as Record<string | number, unknown>;
  if (m.op === 'add') Object.defineProperty(p, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
  else if (m.op === 'delete') delete p[m.path[m.path.length - 1]!];
  else p[m.path[m.path.length - 1]!] = m.value;
}

/** Text-level damage that a serializer would never produce. */
const textDamage = fc.oneof(
  fc.constant((t: string) => `${t}\nloop: &a [*a]\n`), // circular alias
  fc.constant((t: string) => t.replace('faults:', 'faults: &f\n  - *f\nx:')),
  fc.constant((t: string) => `${t}deep: ${'['.repeat(200)}${']'.repeat(200)}\n`),
  fc.constant((t: string) => t.replace('title:', 'title: !!js/function')),
  fc.constant((t: string) => t.replace('difficulty: easy', 'difficulty: !custom easy')),
  fc.constant((t: string) => `${t}title: twice\n`), // a duplicate key
  fc.constant((t: string) => t.replace('briefing:', 'briefing: "\uFFFD"\nx_briefing:')),
  fc.nat({ max: 2000 }).map((i) => (t: string) => t.slice(0, i % (t.length + 1)) + t.slice((i % (t.length + 1)) + 1)),
  fc.constant((t: string) => t),
);

describe('scenarios (property)', () => {
  it(`${RUNS} mutated scenarios through validate and plan: bounded, documented exit codes, every problem at file:line:col`, async () => {
    const started = Date.now();
    let runs = 0;
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 0, maxLength: 3 }), textDamage, async (mutations, damage) => {
        runs += 1;
        const id = `s${runs}`;
        const doc = base(id) as unknown as Record<string, unknown>;
        for (const m of mutations) apply(doc, m);
        const file = join('scenarios', `${id}.yaml`);
        writeFileSync(join(cwd, file), damage(stringify(doc)));
        const v = await gamedayInProcess(['validate', file], { cwd, timeoutMs: 10_000 });
        cliHolds(v, `validate of ${JSON.stringify(mutations).slice(0, 300)}`);
        expect([0, 2]).toContain(v.code);
        if (v.code === 2) {
          const problems = v.stdout.trim().split('\n');
          for (const l of problems) expect(l, `not file:line:col: ${l}`).toMatch(/^scenarios\/s\d+\.yaml:[1-9]\d*:[1-9]\d*: .+$/);
        } else valid += 1;
        // plan takes the same checks; what validate accepts, plan resolves (test.marker needs no backend)
        const p = await gamedayInProcess(['plan', file, '--env', 'lab', '--seed', '7'], { cwd, timeoutMs: 10_000 });
        cliHolds(p, `plan of ${JSON.stringify(mutations).slice(0, 300)}`);
        expect(p.code === 2, `validate said ${v.code}, plan said ${p.code}: ${p.stderr.slice(0, 300)}`).toBe(v.code === 2);
      }),
      { numRuns: RUNS, seed: Number(process.env.FC_SEED ?? 16), endOnFailure: true },
    );
    console.log(`scenario: ${runs} mutated scenarios (${valid} still valid) in ${Date.now() - started} ms`);
    expect(runs).toBeGreaterThanOrEqual(RUNS);
  }, 120_000);

  it('the classes the issue names: each refused with its field, nothing coerced', async () => {
    const cases: [(d: Record<string, unknown>) => void, RegExp][] = [
      [(d) => ((d.faults as Record<string, unknown>[])[0]!.kind = '__proto__'), /faults\[0\]\.kind: unknown fault kind "__proto__"/],
      [(d) => ((d.faults as Record<string, unknown>[])[0]!.kind = 'toString'), /unknown fault kind "toString"/],
      [(d) => ((d.faults as Record<string, unknown>[])[0]!.params = { pauseBeforeMs: null }), /faults\[0\]\.params\.pauseBeforeMs/],
      [(d) => ((d.faults as Record<string, unknown>[])[0]!.params = { pauseBeforeMs: true }), /faults\[0\]\.params\.pauseBeforeMs/],
      [(d) => ((d.faults as Record<string, unknown>[])[0]!.params = { pauseBeforeMs: [3] }), /faults\[0\]\.params\.pauseBeforeMs/],
      [(d) => ((d.faults as Record<string, unknown>[])[0]!.params = { pauseBeforeMs: '0x10' }), /faults\[0\]\.params\.pauseBeforeMs/],
      [(d) => ((d.steadyState as Record<string, unknown>[])[0]!.timeout = '30d'), /steadyState\[0\]\.timeout: "30d" is too long/],
      [(d) => ((d.steadyState as Record<string, unknown>[])[0]!.url = 'file:///etc/passwd'), /steadyState\[0\]\.url: write an http/],
      [(d) => (d.steadyState = [...(d.steadyState as unknown[]), (d.steadyState as unknown[])[0]]), /steadyState\[1\]\.name: a second probe named "site"/],
      [(d) => ((d.hints as unknown[])[1] = { text: 'late', after: '45m' }), /hints\[1\]\.after: the hint is due at or after timeLimit/],
      [(d) => ((d.faults as Record<string, unknown>[])[0]!.at = '25m'), /faults\[0\]\.at: the fault is due at or after timeLimit/],
      [(d) => delete d.timeLimit && ((d.hints as unknown[])[1] = { text: 'late', after: '45m' }), /the default timeLimit \(30m00s\)/],
    ];
    for (const [i, [mutate, message]] of cases.entries()) {
      const doc = base(`c${i}`) as unknown as Record<string, unknown>;
      mutate(doc);
      writeFileSync(join(cwd, 'scenarios', `c${i}.yaml`), stringify(doc));
      const r = await gamedayInProcess(['validate', `scenarios/c${i}.yaml`], { cwd });
      cliHolds(r, String(message));
      expect(r.code, String(message)).toBe(2);
      expect(r.stdout, String(message)).toMatch(message);
    }
  });
});
