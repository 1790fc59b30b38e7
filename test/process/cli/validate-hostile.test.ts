/**
 * `gameday validate` and the scenario loaders against files that are not what they should be
 * (issue 16): one problem never hides the others, a file is never a crash, and nothing hangs.
 * In-process, except the FIFO, which is also run as a real process (a blocked read could only be
 * seen from outside).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gamedayInProcess } from '../../helpers/in-process-cli.js';
import { cliEnv, ensureBuilt, runCli } from '../../helpers/cli.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const valid = (id: string) => readFileSync(join(FIXTURES, 'scenarios/tabletop-dns.yaml'), 'utf8').replace('tabletop-dns', id).replace(/^runbook:.*\n/m, '');
let cwd: string;
const saved = { ...process.env };

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'gd-validate-hostile-'));
  mkdirSync(join(cwd, 'scenarios'));
  Object.assign(process.env, { GAMEDAY_STATE_DIR: join(cwd, 'state'), GAMEDAY_CACHE: join(cwd, 'cache'), NO_COLOR: '1' });
});
afterAll(() => {
  process.env = saved;
  rmSync(cwd, { recursive: true, force: true });
});

const validate = (...paths: string[]) => gamedayInProcess(['validate', ...paths], { cwd, timeoutMs: 10_000 });

describe('validate against hostile files', () => {
  it('a broken file, a missing path and a directory named like a scenario hide nothing: every problem of every file, exit 2', async () => {
    const d = join(cwd, 'mixed');
    mkdirSync(d);
    writeFileSync(join(d, 'ok.yaml'), valid('ok'));
    writeFileSync(join(d, 'loop.yaml'), `${valid('loop')}extra: &a [*a]\n`); // circular alias
    writeFileSync(join(d, 'bad.yaml'), valid('bad').replace('difficulty: medium', 'difficulty: brutal'));
    mkdirSync(join(d, 'dir.yaml'));
    writeFileSync(join(d, 'huge.yaml'), '');
    truncateSync(join(d, 'huge.yaml'), 2 * 1024 ** 3); // sparse: its size is checked before any byte is read
    const r = await validate('mixed', 'no-such-path');
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('no-such-path:1:1: no such file or directory');
    expect(lines).toContain('mixed/dir.yaml:1:1: this is a directory, not a file');
    expect(lines.some((l) => /^mixed\/loop\.yaml:1:1: YAML: an alias refers to a node that contains it \(circular\)$/.test(l))).toBe(true);
    expect(lines.some((l) => /^mixed\/bad\.yaml:\d+:\d+: difficulty: expected one of easy, medium, hard/.test(l))).toBe(true);
    expect(lines.some((l) => /^mixed\/huge\.yaml:1:1: file is 2147483648 bytes; scenarios are at most 262144$/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('mixed/ok.yaml'))).toBe(false);
    expect(r.stderr).toMatch(/✗ 5 problems in 5 of 6 files or paths/);
  });

  it('a YAML tag warning is reported beside the schema problems, not instead of them', async () => {
    writeFileSync(join(cwd, 'scenarios', 'tagged.yaml'), valid('tagged').replace('difficulty: medium', 'difficulty: !custom brutal'));
    const r = await validate('scenarios/tagged.yaml');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/YAML: .*tag/i);
    expect(r.stdout).toMatch(/difficulty: expected one of easy, medium, hard/);
  });

  it('the same file given twice is checked once (no "duplicate id"); U+FFFD written in the file is text', async () => {
    writeFileSync(join(cwd, 'scenarios', 'twice.yaml'), valid('twice').replace(/^title: .*$/m, 'title: "Replacement \uFFFD character"'));
    const r = await validate('scenarios/twice.yaml', 'scenarios/twice.yaml', join(cwd, 'scenarios/twice.yaml'));
    expect(r.stdout).toBe('✓ 1 scenario valid\n');
    expect(r.code).toBe(0);
    writeFileSync(join(cwd, 'scenarios', 'latin1.yaml'), Buffer.concat([Buffer.from(valid('latin1').replace(/^title: .*$/m, 'title: caf')), Buffer.from([0xe9, 0x0a])]));
    const bad = await validate('scenarios/latin1.yaml');
    expect(bad.stdout).toMatch(/^scenarios\/latin1\.yaml:1:1: not valid UTF-8 text$/m);
  });

  it('a folder without *.yaml is a problem, not "✓ 0 scenarios valid"', async () => {
    mkdirSync(join(cwd, 'empty'));
    const r = await validate('empty');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^empty:1:1: no scenario files \(\*\.yaml, \*\.yml\) in this folder$/m);
  });

  it('a FIFO named like a scenario never hangs validate (a real process, bounded)', async () => {
    await ensureBuilt();
    const d = join(cwd, 'fifo');
    mkdirSync(d);
    writeFileSync(join(d, 'ok.yaml'), valid('ok'));
    expect(spawnSync('mkfifo', [join(d, 'pipe.yaml')]).status).toBe(0);
    const r = runCli(['validate', 'fifo'], { cwd, env: cliEnv({ state: join(cwd, 'state'), cache: join(cwd, 'cache') }), timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^fifo\/pipe\.yaml:1:1: this is a named pipe \(FIFO\), not a file$/m);
  });

  it('report --out into a folder that does not exist is one line, exit 2, not a raw ENOENT', async () => {
    const { JournalStore } = await import('../../../src/adapters/journal-store.js');
    const w = new JournalStore(join(cwd, 'state')).open('20261203-100000-report-0001');
    w.append({ type: 'drill-started', mode: 'adhoc', env: 'lab', pid: 1, host: 'h' });
    w.close();
    const r = await gamedayInProcess(['report', '20261203-100000-report-0001', '--out', '/nonexistent/r.md'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot write the report to \/nonexistent\/r\.md: no such file or directory \(ENOENT\)$/m);
  });
});
