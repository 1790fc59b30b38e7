/**
 * The validation corpus: one broken scenario per defect under test/fixtures/broken-scenarios/,
 * each reported with its file, line, column and field; every problem of a file in one run.
 * The huge and binary files are generated here into a temp dir rather than committed.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFiles, runbookLookup, scenarioFiles } from '../../../src/drill/scenario-store.js';
import { checkScenarioText, type ValidateEnv } from '../../../src/core/validate.js';
import { duplicateIdProblems, headingAnchor, markdownAnchors, MAX_SCENARIO_BYTES } from '../../../src/core/scenario-check.js';
import { formatProblem, type Problem } from '../../../src/core/problem.js';
import { catalog } from '../../../src/injectors/registry.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const BROKEN = join(FIXTURES, 'broken-scenarios');

// bad-params.yaml uses the test-only injector's schema (set before the corpus is checked at collection)
const savedFlag = process.env.GAMEDAY_ENABLE_TEST_INJECTORS;
process.env.GAMEDAY_ENABLE_TEST_INJECTORS = '1';
afterAll(() => {
  if (savedFlag === undefined) delete process.env.GAMEDAY_ENABLE_TEST_INJECTORS;
  else process.env.GAMEDAY_ENABLE_TEST_INJECTORS = savedFlag;
});

/** [line, col, field, message pattern] */
type Expected = [number, number, string, RegExp];

const checkBroken = async () => {
  const files = scenarioFiles([BROKEN], FIXTURES);
  return new Map((await checkFiles(files, FIXTURES)).map((c) => [c.file.replace(/^broken-scenarios\//, ''), c]));
};

const corpus: Record<string, Expected[]> = {
  'yaml-syntax.yaml': [
    [2, 8, '', /^YAML: Nested mappings are not allowed/],
    [5, 1, '', /^YAML: Map keys must be unique/],
  ],
  'wrong-types.yaml': [
    [2, 8, 'title', /^expected text, got number$/],
    [5, 7, 'tags', /^expected a list, got text$/],
    [6, 13, 'difficulty', /^expected one of easy, medium, hard, got "extreme"$/],
    [8, 3, 'faults', /^expected a list, got a mapping$/],
  ],
  'missing-fields.yaml': [
    [1, 1, 'title', /^missing \(required\)$/],
    [1, 1, 'briefing', /^missing \(required\)$/],
    [4, 5, 'faults[0].kind', /^missing \(required\)$/],
  ],
  'unknown-field.yaml': [
    [5, 1, 'severity', /^unknown field$/],
    [11, 5, 'faults[0].colour', /^unknown field$/],
  ],
  'bad-duration.yaml': [
    [7, 12, 'hints[0].after', /^not a duration: "soon"/],
    [9, 17, 'objectives.detectWithin', /^not a duration: "5 minutes"/],
    [10, 12, 'timeLimit', /^not a duration: "90"/],
  ],
  'unknown-kind.yaml': [[8, 11, 'faults[1].kind', /^unknown fault kind "k8s\.pod-explode" \(known: k8s\.pod-kill, k8s\.scale, k8s\.service-selector, k8s\.node-drain, node\.iptables, aws\.elbv2-delete, aws\.rds-failover, aws\.ec2-stop, aws\.ec2-terminate, aws\.route53-weight, aws\.mq-reboot/]],
  'runbook-missing-file.yaml': [[5, 10, 'runbook', /^runbook not found: runbooks\/payments\.md$/]],
  'runbook-missing-heading.yaml': [[5, 10, 'runbook', /^no heading "#restart-the-database" in runbooks\/checkout\.md \(headings: checkout-runbook, pods-not-ready, rolling-back-a-deployment\)$/]],
  'id-mismatch.yaml': [[4, 5, 'id', /^id "checkout-down" does not match the file name \(expected "id-mismatch"\)$/]],
  'checklist-order.yaml': [
    [9, 13, 'checklist[1].target', /^the step is due before the step above it \(30m00s\): list steps in the order they are due$/],
    [11, 13, 'checklist[2].target', /^the step is due after timeLimit \(1h30m00s\), when the drill is over$/],
  ],
  'dup-id.yaml': [],
  'dup-id.yml': [[1, 5, 'id', /^duplicate id "dup-id" \(also in broken-scenarios\/dup-id\.yaml\)$/]],
  'bad-params.yaml': [
    [8, 7, 'faults[0].target.dir', /^missing \(required\)$/],
    [10, 22, 'faults[0].params.pauseBeforeMs', /too small.*>=\s*0/i],
    [11, 7, 'faults[0].params.explode', /^unknown field$/],
  ],
  'many-problems.yaml': [
    [2, 8, 'title', /^must not be empty$/],
    [5, 12, 'tags[1]', /^expected text, got number$/],
    [6, 13, 'difficulty', /^expected one of easy, medium, hard, got "impossible"$/],
    [8, 11, 'faults[0].kind', /^unknown fault kind "no\.such-kind" \(known: .*k8s\.pod-kill/],
    [11, 15, 'faults[1].duration', /one-shot/],
    [13, 5, 'steadyState[0].type', /^missing \(required\): one of http, tcp, k8s, rds, cloudwatch-alarm$/],
    [16, 5, 'hints[0]', /^must not be empty$/],
    [17, 10, 'runbook', /^no heading "#nowhere"/],
    [19, 17, 'objectives.detectWithin', /^not a duration: "later"/],
    [20, 1, 'bogus', /^unknown field$/],
  ],
};

const brokenChecks = await checkBroken();

describe('the broken-scenario corpus', () => {
  it('has exactly the files the table describes (a new fixture needs its expectations)', () => {
    expect(readdirSync(BROKEN).sort()).toEqual(Object.keys(corpus).sort());
  });

  for (const [file, expected] of Object.entries(corpus)) {
    it(`${file}: ${expected.length ? expected.map(([l, , f]) => `${f || '(syntax)'}@${l}`).join(', ') : 'valid on its own'}`, () => {
      const c = brokenChecks.get(file);
      expect(c, `no check for ${file}`).toBeDefined();
      expect(c!.problems.map((p) => [p.line, p.col, p.field])).toEqual(expected.map(([l, col, f]) => [l, col, f]));
      c!.problems.forEach((p, i) => {
        expect(p.file).toBe(`broken-scenarios/${file}`);
        expect(p.message).toMatch(expected[i]![3]);
      });
      if (expected.length) expect(c!.scenario).toBeUndefined();
    });
  }

  it('reports every problem of every file in one run, sorted by line within a file', () => {
    const all = [...brokenChecks.values()];
    const total = all.reduce((n, c) => n + c.problems.length, 0);
    expect(total).toBe(Object.values(corpus).reduce((n, e) => n + e.length, 0));
    for (const c of all) {
      const lines = c.problems.map((p) => p.line);
      expect(lines).toEqual([...lines].sort((a, b) => a - b));
    }
  });

  it('formats problems as file:line:col: field: message', () => {
    const p = brokenChecks.get('unknown-field.yaml')!.problems[0]!;
    expect(formatProblem(p)).toBe('broken-scenarios/unknown-field.yaml:5:1: severity: unknown field');
    expect(formatProblem({ ...p, field: '' })).toBe('broken-scenarios/unknown-field.yaml:5:1: unknown field');
  });
});

describe('valid fixtures', () => {
  it('the example scenarios (faults, probes, timed hints, runbook with anchor; and a tabletop) have no problems', async () => {
    const checks = await checkFiles(scenarioFiles([join(FIXTURES, 'scenarios')], FIXTURES), FIXTURES);
    expect(checks.map((c) => [c.file, c.problems.map(formatProblem)])).toEqual([
      ['scenarios/checkout-pods-down.yaml', []],
      ['scenarios/tabletop-dns.yaml', []],
    ]);
    const s = checks[0]!.scenario!;
    expect(s.id).toBe('checkout-pods-down');
    expect(s.faults[0]!.kind).toBe('k8s.pod-kill');
    expect(s.hints).toEqual([
      { text: 'What does `kubectl get pods` say?', after: undefined },
      { text: 'Look at the readiness probe.', after: 300_000 },
    ]);
    expect(s.objectives).toEqual({ detectWithin: 300_000, recoverWithin: 900_000 });
    expect(checks[1]!.scenario!.faults).toEqual([]);
  });
});

describe('duplicate ids across folders', () => {
  it('two scenario folders validated together may not share an id', async () => {
    const root = join(FIXTURES, 'duplicate-ids');
    const checks = await checkFiles(scenarioFiles(['a/scenarios', 'b/scenarios'], root), root);
    expect(checks.map((c) => c.problems.map(formatProblem))).toEqual([[], ['b/scenarios/same-id.yaml:1:5: id: duplicate id "same-id" (also in a/scenarios/same-id.yaml)']]);
  });

  it('duplicateIdProblems ignores invalid checks and falls back to 1:1 without a position', () => {
    const s = { id: 'x' } as never;
    const out = duplicateIdProblems([
      { file: 'a.yaml', scenario: s, problems: [] },
      { file: 'b.yaml', problems: [] },
      { file: 'c.yaml', scenario: s, problems: [] },
    ]);
    expect(out).toEqual([{ file: 'c.yaml', line: 1, col: 1, field: 'id', message: 'duplicate id "x" (also in a.yaml)' }]);
  });
});

describe('huge, binary and odd files (generated)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gd-validate-'));
    mkdirSync(join(dir, 'scenarios'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, bytes: Buffer | string) => {
    const f = join(dir, 'scenarios', name);
    writeFileSync(f, bytes);
    return f;
  };
  const only = async (f: string): Promise<Problem[]> => (await checkFiles([f], dir))[0]!.problems;

  it('a file over 256 KiB is refused at 1:1 without being parsed', async () => {
    const valid = readFileSync(join(FIXTURES, 'scenarios/tabletop-dns.yaml'), 'utf8').replace('tabletop-dns', 'huge').replace(/^runbook:.*\n/m, '');
    const big = `${valid}# ${'x'.repeat(MAX_SCENARIO_BYTES)}\n`;
    const f = write('huge.yaml', big);
    expect(await only(f)).toEqual([{ file: 'scenarios/huge.yaml', line: 1, col: 1, field: '', message: `file is ${Buffer.byteLength(big)} bytes; scenarios are at most ${256 * 1024}` }]);
    // just under the limit is parsed normally
    const f2 = write('huge.yaml', valid + `# ${'x'.repeat(MAX_SCENARIO_BYTES - Buffer.byteLength(valid) - 3)}\n`);
    expect(await only(f2)).toEqual([]);
  });

  it('a binary file is reported as not text', async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const f = write('binary.yaml', bytes);
    expect(await only(f)).toEqual([{ file: 'scenarios/binary.yaml', line: 1, col: 1, field: '', message: 'not a text file (contains NUL bytes)' }]);
  });

  it('invalid UTF-8 without NUL bytes is reported as not text', async () => {
    const f = write('latin1.yaml', Buffer.from('id: latin1\ntitle: caf\xe9\n', 'latin1'));
    expect(await only(f)).toEqual([{ file: 'scenarios/latin1.yaml', line: 1, col: 1, field: '', message: 'not valid UTF-8 text' }]);
  });

  it.each([
    ['empty.yaml', '', /a scenario is a YAML mapping/],
    ['list.yaml', '- id: list\n', /a scenario is a YAML mapping/],
    ['scalar.yaml', 'just text\n', /a scenario is a YAML mapping/],
  ])('%s is not a mapping', async (name, text, message) => {
    const ps = await only(write(name, text));
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ line: 1, col: 1, field: '' });
    expect(ps[0]!.message).toMatch(message);
  });

  it('an alias bomb is refused, not expanded', async () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const ps = await only(write('bomb.yaml', `${lines.join('\n')}\n`));
    expect(ps.length).toBeGreaterThan(0);
    expect(ps[0]!.message).toMatch(/^YAML: .*alias/i);
  });

  it('runaway nesting is one problem, not a crash', async () => {
    const ps = await only(write('deep.yaml', `id: deep\nfaults: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`));
    expect(ps.length).toBeGreaterThan(0);
    expect(ps.every((p) => p.line >= 1 && p.col >= 1)).toBe(true);
  });
});

describe('union and discriminator messages', () => {
  const env: ValidateEnv = { catalog: catalog(), runbook: () => ({ exists: true, anchors: [] }) };
  const head = 'id: u\ntitle: t\nsummary: s\nbriefing: b\n';
  const problems = (body: string) => checkScenarioText('u.yaml', Buffer.from(head + body), env).problems.map((p) => `${p.line}:${p.col} ${p.field}: ${p.message}`);

  it('a hint is text or {text, after}: the message follows the shape written', () => {
    expect(problems('hints:\n  - 5\n  - { text: x, bogus: 1 }\n  - { text: y, after: zz }\n')).toEqual([
      '6:5 hints[0]: expected text or a mapping, got number',
      '7:16 hints[1].bogus: unknown field',
      '8:23 hints[2].after: not a duration: "zz" (write e.g. 30s, 5m, 1h30m)',
    ]);
  });

  it('an unknown probe type lists the known ones', () => {
    expect(problems('steadyState:\n  - { name: x, type: smtp }\n')).toEqual(['6:22 steadyState[0].type: unknown type "smtp" (known: http, tcp, k8s, rds, cloudwatch-alarm)']);
  });

  it('a target value must be a scalar', () => {
    expect(problems('faults:\n  - kind: k8s.pod-kill\n    target: { namespace: [a], selector: app=x }\n')).toEqual([
      '7:26 faults[0].target.namespace: expected text or number or boolean, got a list',
      '7:26 faults[0].target.namespace: expected text, got a list',
    ]);
  });

  it('a null value is a wrong type, not a missing field', () => {
    expect(problems('tags:\n')).toEqual(['5:6 tags: expected a list, got null (an empty value)']);
  });
});

describe('runbook anchors', () => {
  it.each([
    ['Pods not ready', 'pods-not-ready'],
    ['Rolling back: the `deployment`!', 'rolling-back-the-deployment'],
    ['  Ünïcode Héading  ', 'ünïcode-héading'],
    ['snake_case and-dashes', 'snake_case-and-dashes'],
  ])('headingAnchor(%j) = %j', (heading, anchor) => {
    expect(headingAnchor(heading)).toBe(anchor);
  });

  it('markdownAnchors skips fenced code and closing hashes', () => {
    expect(markdownAnchors('# One #\ntext\n```\n# not a heading\n```\n### Three\n#nospace\n')).toEqual(['one', 'three']);
  });

  it('runbookLookup resolves relative to the folder holding the scenarios folder', () => {
    const look = runbookLookup('/nonexistent-cwd');
    expect(look('runbooks/checkout.md', join(FIXTURES, 'scenarios/x.yaml'))).toEqual({ exists: true, anchors: ['checkout-runbook', 'pods-not-ready', 'rolling-back-a-deployment'] });
    expect(look('runbooks/nope.md', join(FIXTURES, 'scenarios/x.yaml'))).toEqual({ exists: false, anchors: [] });
    expect(look('runbooks', join(FIXTURES, 'scenarios/x.yaml')).exists).toBe(false); // a directory is not a runbook
  });
});
