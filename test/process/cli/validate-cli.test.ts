/**
 * `gameday validate` as a user runs it: every problem as file:line:col: field: message, exit 2,
 * never a stack trace; exit 0 on a valid directory.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, ensureBuilt, runCli } from '../../helpers/cli.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
let tmp: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'gd-validate-cli-'));
  env = cliEnv({ state: join(tmp, 'state'), cache: join(tmp, 'cache') }, { GAMEDAY_ENABLE_TEST_INJECTORS: '1' });
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PROBLEM = /^(?<file>[^:\n]+):(?<line>\d+):(?<col>\d+): (?:(?<field>[\w.[\]]+): )?(?<message>.+)$/;

describe('gameday validate', () => {
  it('reports every problem of the broken corpus as file:line:col: field: message and exits 2', () => {
    const r = runCli(['validate', 'broken-scenarios'], { cwd: FIXTURES, env });
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    for (const l of lines) expect(l).toMatch(PROBLEM);
    // one line per problem of the corpus (see test/core/validate.test.ts for each one's details)
    expect(lines).toHaveLength(34);
    expect(lines).toContain('broken-scenarios/yaml-syntax.yaml:2:8: YAML: Nested mappings are not allowed in compact mappings');
    expect(lines).toContain('broken-scenarios/missing-fields.yaml:1:1: title: missing (required)');
    expect(lines).toContain('broken-scenarios/unknown-field.yaml:5:1: severity: unknown field');
    expect(lines).toContain('broken-scenarios/bad-duration.yaml:9:17: objectives.detectWithin: not a duration: "5 minutes" (write e.g. 30s, 5m, 1h30m)');
    expect(lines).toContain('broken-scenarios/runbook-missing-file.yaml:5:10: runbook: runbook not found: runbooks/payments.md');
    expect(lines).toContain('broken-scenarios/dup-id.yml:1:5: id: duplicate id "dup-id" (also in broken-scenarios/dup-id.yaml)');
    expect(lines.find((l) => l.startsWith('broken-scenarios/unknown-kind.yaml:8:11: faults[1].kind: unknown fault kind "k8s.pod-explode" (known: k8s.pod-kill, '))).toBeDefined();
    expect(new Set(lines.map((l) => PROBLEM.exec(l)!.groups!.file)).size).toBe(13); // every broken file but dup-id.yaml
    expect(r.stderr).toMatch(/✗ 34 problems in 13 of 14 files/);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/ {4}at /);
  });

  it('exits 0 on a valid directory', () => {
    const r = runCli(['validate', 'scenarios'], { cwd: FIXTURES, env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('✓ 2 scenarios valid');
  });

  it('defaults to scenarios/ in the working directory and accepts several paths', () => {
    const r = runCli(['validate'], { cwd: FIXTURES, env });
    expect(r.code).toBe(0);
    const two = runCli(['validate', 'scenarios/tabletop-dns.yaml', 'broken-scenarios/id-mismatch.yaml'], { cwd: FIXTURES, env });
    expect(two.code).toBe(2);
    expect(two.stdout.trim()).toBe('broken-scenarios/id-mismatch.yaml:4:5: id: id "checkout-down" does not match the file name (expected "id-mismatch")');
  });

  it('huge and binary files are problems at 1:1, not crashes', () => {
    const dir = join(tmp, 'odd', 'scenarios');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'huge.yaml'), `id: huge\n# ${'y'.repeat(300 * 1024)}\n`);
    writeFileSync(join(dir, 'binary.yaml'), Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 31) % 256)));
    copyFileSync(join(FIXTURES, 'broken-scenarios/yaml-syntax.yaml'), join(dir, 'yaml-syntax.yaml'));
    const r = runCli(['validate', 'scenarios'], { cwd: join(tmp, 'odd'), env });
    expect(r.code).toBe(2);
    expect(r.stdout.trim().split('\n')).toEqual([
      'scenarios/binary.yaml:1:1: not a text file (contains NUL bytes)',
      `scenarios/huge.yaml:1:1: file is ${9 + 2 + 300 * 1024 + 1} bytes; scenarios are at most 262144`,
      'scenarios/yaml-syntax.yaml:2:8: YAML: Nested mappings are not allowed in compact mappings',
      'scenarios/yaml-syntax.yaml:5:1: YAML: Map keys must be unique',
    ]);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/ {4}at /);
  });

  it('a path that does not exist is one problem (exit 2), not a stack trace, and the other paths are still checked', () => {
    const r = runCli(['validate', 'no-such-dir', 'broken-scenarios/unknown-kind.yaml'], { cwd: FIXTURES, env });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^no-such-dir:1:1: no such file or directory$/m);
    expect(r.stdout).toMatch(/^broken-scenarios\/unknown-kind\.yaml:8:11: faults\[1\]\.kind: unknown fault kind/m);
    expect(r.stderr).not.toMatch(/ {4}at /);
  });

  it('the corpus really holds one file per defect (the counts above are not stale)', () => {
    expect(readdirSync(join(FIXTURES, 'broken-scenarios'))).toHaveLength(14);
  });
});
