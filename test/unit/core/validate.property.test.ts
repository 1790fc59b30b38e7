/**
 * Property: whatever bytes a scenario file holds, `checkScenarioText` never throws and either
 * returns a valid scenario with no problems, or problems that each point at a real position
 * (line ≥ 1, col ≥ 1) of the file. Mutations start from the valid fixtures: random byte,
 * line and YAML-token edits, type swaps of fields, random unicode, deep nesting and alias bombs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { checkScenarioText, type ValidateEnv } from '../../../src/core/validate.js';
import type { ScenarioCheck } from '../../../src/core/scenario-check.js';
import { catalog } from '../../../src/injectors/registry.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const BASES = ['checkout-pods-down', 'tabletop-dns'].map((id) => ({ id, bytes: readFileSync(resolve(FIXTURES, `scenarios/${id}.yaml`)) }));

const env: ValidateEnv = {
  catalog: catalog(),
  runbook: (path) => (path === 'runbooks/checkout.md' ? { exists: true, anchors: ['checkout-runbook', 'pods-not-ready'] } : { exists: false, anchors: [] }),
};

let runs = 0;
let validRuns = 0;

/** The invariant every run must hold. */
function holds(file: string, bytes: Buffer): void {
  runs += 1;
  let r: ScenarioCheck;
  try {
    r = checkScenarioText(file, bytes, env);
  } catch (e) {
    throw new Error(`checkScenarioText threw on ${JSON.stringify(bytes.toString('utf8').slice(0, 300))}: ${(e as Error).stack}`);
  }
  expect(r.file).toBe(file);
  if (r.problems.length === 0) {
    expect(r.scenario, 'no problems but no scenario').toBeDefined();
    // a valid scenario's id is its file name, and its title is not blank
    expect(r.scenario!.id).toBe(file.replace(/^.*\//, '').replace(/\.ya?ml$/, ''));
    expect(r.scenario!.title.trim()).not.toBe('');
    validRuns += 1;
    return;
  }
  expect(r.scenario).toBeUndefined();
  const lineCount = bytes.toString('utf8').split(/\r\n|\r|\n/).length;
  for (const p of r.problems) {
    expect(p.file).toBe(file);
    expect(Number.isInteger(p.line) && p.line >= 1, `line ${p.line}`).toBe(true);
    expect(Number.isInteger(p.col) && p.col >= 1, `col ${p.col}`).toBe(true);
    expect(p.line, `line ${p.line} beyond the file's ${lineCount} lines`).toBeLessThanOrEqual(lineCount + 1);
    expect(typeof p.message === 'string' && p.message.length > 0).toBe(true);
    expect(typeof p.field).toBe('string');
  }
}

// ---- mutations: each takes the current bytes and returns new bytes ----
type Mutation = (b: Buffer) => Buffer;

const at = (b: Buffer, f: number) => Math.floor(f * (b.length + 1));
const YAML_TOKENS = [
  ':', ': ', '- ', '-', '[', ']', '{', '}', ',', '&a ', '*a', '&b ', '*b', '<<: *a', '!!str ', '!!binary ', '!!map ', '!unknown ', '|', '|-', '>', '# ', '"', "'", '\\', '---\n', '...\n', '? ', '%YAML 1.2\n', '\t', '  ', '\n',
  'null', '~', 'true', 'no', '0x1F', '0o17', '.inf', '-.nan', '1e9999', '2026-11-25', '5m', '-5m', '0s', 'k8s.pod-kill', 'test.marker', 'runbooks/checkout.md#x', 'id', 'faults', 'target', 'params', 'hints', 'after',
  '\u0000', '\uFEFF', '\u2028', '\uD800', '😀', 'é', '\r', '\r\n',
];

const byteMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 40 })).map(([f, n]): Mutation => (b) => Buffer.concat([b.subarray(0, at(b, f)), b.subarray(at(b, f) + n)])),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.uint8Array({ minLength: 1, maxLength: 12 })).map(([f, ins]): Mutation => (b) => Buffer.concat([b.subarray(0, at(b, f)), Buffer.from(ins), b.subarray(at(b, f))])),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })).map(([f, v]): Mutation => (b) => {
    const c = Buffer.from(b);
    if (c.length) c[Math.min(c.length - 1, at(c, f))] = v;
    return c;
  }),
);

const lines = (b: Buffer) => b.toString('utf8').split('\n');
const lineMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }).map((f): Mutation => (b) => {
    const ls = lines(b);
    ls.splice(Math.floor(f * ls.length), 1);
    return Buffer.from(ls.join('\n'));
  }),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([f, g]): Mutation => (b) => {
    const ls = lines(b);
    const i = Math.floor(f * ls.length);
    ls.splice(Math.floor(g * ls.length), 0, ls[i] ?? ''); // duplicate a line elsewhere
    return Buffer.from(ls.join('\n'));
  }),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: -4, max: 6 })).map(([f, d]): Mutation => (b) => {
    const ls = lines(b);
    const i = Math.floor(f * ls.length);
    const l = ls[i] ?? '';
    ls[i] = d >= 0 ? ' '.repeat(d) + l : l.replace(new RegExp(`^ {0,${-d}}`), ''); // re-indent
    return Buffer.from(ls.join('\n'));
  }),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([f, g]): Mutation => (b) => {
    const ls = lines(b);
    const i = Math.floor(f * ls.length);
    const j = Math.floor(g * ls.length);
    [ls[i], ls[j]] = [ls[j] ?? '', ls[i] ?? ''];
    return Buffer.from(ls.join('\n'));
  }),
);

const tokenMutation: fc.Arbitrary<Mutation> = fc
  .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...YAML_TOKENS), fc.constantFrom('insert', 'replace'))
  .map(([f, tok, how]): Mutation => (b) => {
    const s = b.toString('utf8');
    // tokens: runs of word characters, or single punctuation / whitespace
    const parts = s.match(/[\w.#/@-]+|\s+|./gsu) ?? [];
    const i = Math.floor(f * (parts.length + 1));
    if (how === 'insert' || i >= parts.length) parts.splice(i, 0, tok);
    else parts[i] = tok;
    return Buffer.from(parts.join(''));
  });

const unicodeMutation: fc.Arbitrary<Mutation> = fc
  .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.string({ unit: 'binary', maxLength: 20 }))
  .map(([f, text]): Mutation => (b) => {
    const s = b.toString('utf8');
    const i = Math.floor(f * (s.length + 1));
    return Buffer.from(s.slice(0, i) + text + s.slice(i));
  });

/** Values of every YAML type, to swap into fields. */
const anyValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', '5m', 'k8s.pod-kill', 'http', 'runbooks/checkout.md#pods-not-ready'),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('kind', 'text', 'after', 'name', 'type', 'url', 'target', 'x'), fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null)), { maxKeys: 4 }),
);

/** Walks to a random node of the parsed data and replaces it (or deletes it) with a value of another type. */
const typeSwap: fc.Arbitrary<Mutation> = fc.tuple(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }), anyValue, fc.boolean()).map(
  ([steps, value, remove]): Mutation =>
    (b) => {
      let data: unknown;
      try {
        data = parseYaml(b.toString('utf8'), { logLevel: 'silent' });
      } catch {
        return b;
      }
      if (data === null || typeof data !== 'object') return b;
      let node = data as Record<string, unknown>;
      // a `!!binary` value parses to a Uint8Array, whose bytes cannot be deleted or retyped: swap
      // the fields of maps and lists only
      if (ArrayBuffer.isView(node)) return b;
      for (let k = 0; k < steps.length; k++) {
        const keys = Object.keys(node);
        if (keys.length === 0) break;
        const key = keys[Math.floor(steps[k]! * keys.length)]!;
        const child = node[key];
        if (k === steps.length - 1 || child === null || typeof child !== 'object') {
          if (remove) delete node[key];
          else node[key] = value;
          break;
        }
        if (ArrayBuffer.isView(child)) break;
        node = child as Record<string, unknown>;
      }
      return Buffer.from(stringifyYaml(data));
    },
);

const mutation = fc.oneof(byteMutation, lineMutation, tokenMutation, unicodeMutation, typeSwap);
const mutatedFile = fc.tuple(fc.constantFrom(...BASES), fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([base, ms]) => ({ id: base.id, bytes: ms.reduce<Buffer>((b, m) => m(b), base.bytes) }));

describe('checkScenarioText on mutated scenario files', () => {
  it('never throws; problems always carry a position ≥ 1:1 (1,200 mutated files)', () => {
    fc.assert(
      fc.property(mutatedFile, ({ id, bytes }) => holds(`scenarios/${id}.yaml`, bytes)),
      { numRuns: 1_200 },
    );
  });

  it('deep nesting of every kind (flow, block, maps, sequences) is a problem, not a crash', () => {
    const deep = fc.tuple(fc.integer({ min: 1, max: 6_000 }), fc.constantFrom('flow-seq', 'flow-map', 'block-seq', 'block-map', 'mixed'), fc.constantFrom('', 'id: x\nfaults: ', 'params: ')).map(([n, shape, prefix]) => {
      switch (shape) {
        case 'flow-seq':
          return prefix + '['.repeat(n) + ']'.repeat(n);
        case 'flow-map':
          return prefix + '{a: '.repeat(n) + '1' + '}'.repeat(n);
        case 'block-seq':
          return prefix + '\n' + Array.from({ length: Math.min(n, 2_000) }, (_, i) => `${'  '.repeat(i)}- `).join('\n') + 'x';
        case 'block-map':
          return prefix + '\n' + Array.from({ length: Math.min(n, 2_000) }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n') + ' x';
        default:
          return prefix + '[{a: '.repeat(n) + '1' + '}]'.repeat(n);
      }
    });
    fc.assert(fc.property(deep, (text) => holds('scenarios/x.yaml', Buffer.from(text))), { numRuns: 40 });
  });

  it('alias bombs and alias tricks are refused or resolved, never expanded without bound', () => {
    const bomb = fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.constantFrom('seq', 'map', 'merge'), fc.boolean()).map(([levels, width, shape, inScenario]) => {
      const out = [inScenario ? 'id: x\ntitle: t\nsummary: s\nbriefing: b\ntags:' : 'root:'];
      out.push('  - &l0 lol');
      for (let i = 1; i < levels; i++) {
        const refs = Array(width).fill(`*l${i - 1}`);
        if (shape === 'seq') out.push(`  - &l${i} [${refs.join(', ')}]`);
        else if (shape === 'map') out.push(`  - &l${i} {${refs.map((r, j) => `k${j}: ${r}`).join(', ')}}`);
        else out.push(`  - &l${i} {<<: *l${i - 1}, k${i}: [${refs.join(', ')}]}`);
      }
      return out.join('\n') + '\n';
    });
    fc.assert(
      fc.property(bomb, (text) => {
        const t0 = performance.now();
        holds('scenarios/x.yaml', Buffer.from(text));
        expect(performance.now() - t0).toBeLessThan(2_000);
      }),
      { numRuns: 80 },
    );
  });

  it('ran at least 1,000 files, some of which stayed valid (the mutations are not all fatal)', () => {
    expect(runs).toBeGreaterThanOrEqual(1_000);
    expect(validRuns).toBeGreaterThan(0);
  });
});
