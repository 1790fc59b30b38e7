/**
 * `gameday halt` over a state directory that holds good journals with active faults beside
 * corrupt ones (wrong types, missing fields, `"record": null` sorting first, a damaged byte on an
 * intent line, a torn line, another version, stray copies, a directory and a FIFO named like
 * journals, a huge sparse file, binary garbage): every good fault is reverted exactly once, every
 * corrupt file is named, and the exit code is non-zero. Then: one damaged byte anywhere on a
 * fault-intent line never gives exit 0 while the fault is still in place.
 *
 * The faults are test.marker files (no backend); their revert log counts reverts exactly. Runs
 * the CLI in-process; the FIFO case is also run as a real process (a blocking read could only be
 * seen as a hang from outside).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import { EXIT_CODES } from '../../../src/cli/exit-codes.js';
import { gamedayInProcess } from '../../helpers/in-process-cli.js';
import { cliEnv, ensureBuilt, runCli } from '../../helpers/cli.js';

let root: string;
let cwd: string;
let state: string;
const saved = { ...process.env };

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'gd-halt-corrupt-'));
  process.env.GAMEDAY_ENABLE_TEST_INJECTORS = '1';
  process.env.GAMEDAY_CACHE = join(root, 'cache');
  process.env.NO_COLOR = '1';
});
afterAll(() => {
  process.env = saved;
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
beforeEach(() => {
  // a fresh project per test: its own config, state directory and marker folder
  cwd = join(root, `p${++n}`);
  state = join(cwd, '.gameday');
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n  lab2:\n    critical: false\n');
  process.env.GAMEDAY_STATE_DIR = state;
});

const markers = () => join(cwd, 'markers');
const revertsIn = (log: string): number => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('revert ')).length : 0);

/** A drill with active test.marker faults, journaled as `inject` would (intent before the marker). */
function markerDrill(id: string, names: string[], env = 'lab'): { paths: string[]; logs: string[] } {
  const store = new JournalStore(state);
  const w = store.open(id);
  w.append({ type: 'drill-started', mode: 'adhoc', env, title: 'ad-hoc test.marker', pid: 999_999, host: 'elsewhere' });
  const paths: string[] = [];
  const logs: string[] = [];
  for (const name of names) {
    const path = join(markers(), `${id}-${name}.fault`);
    const log = `${path}.log`;
    w.append({ type: 'fault-intent', record: { faultId: `f-${name}`, kind: 'test.marker', target: `marker ${name}`, reversible: true, deadline: Date.now() + 600_000, undo: { path, log } } });
    mkdirSync(markers(), { recursive: true });
    writeFileSync(path, id);
    w.append({ type: 'fault-injected', faultId: `f-${name}` });
    paths.push(path);
    logs.push(log);
  }
  w.close();
  return { paths, logs };
}

const journalFile = (id: string) => join(state, 'drills', `${id}.jsonl`);
const lines = (id: string) => readFileSync(journalFile(id), 'utf8').split('\n');
const halt = (...args: string[]) => gamedayInProcess(['halt', ...args], { cwd, timeoutMs: 20_000 });

describe('gameday halt over good and corrupt journals', () => {
  it('reverts every good fault exactly once, names every corrupt file, and exits non-zero', async () => {
    const goodA = markerDrill('20261203-100000-good-a-0001', ['a1', 'a2']);
    const goodB = markerDrill('20261203-235959-good-b-0002', ['b1'], 'lab2'); // sorts after every corrupt one

    // an intent with one byte lost (its fault is really in place)
    const lost = markerDrill('20261203-110000-lost-byte-0003', ['x']);
    const l = lines('20261203-110000-lost-byte-0003');
    const intentAt = l.findIndex((x) => x.includes('"fault-intent"'));
    l[intentAt] = l[intentAt]!.slice(0, 120) + l[intentAt]!.slice(121);
    writeFileSync(journalFile('20261203-110000-lost-byte-0003'), l.join('\n'));

    // hand-edited and foreign journals, sorting before the good ones
    mkdirSync(join(state, 'drills'), { recursive: true });
    const raw = (id: string, events: object[]) => writeFileSync(journalFile(id), events.map((e) => JSON.stringify({ v: 1, drillId: id, at: '2026-12-03T10:00:00.000Z', ...e })).join('\n') + '\n');
    raw('20000101-000000-record-null-0004', [
      { seq: 1, type: 'drill-started', mode: 'adhoc', env: 'lab', pid: 1, host: 'h' },
      { seq: 2, type: 'fault-intent', record: null },
    ]);
    raw('20000101-000001-wrong-types-0005', [
      { seq: 1, type: 'drill-started', mode: 'adhoc', env: 'lab', pid: '1', host: 'h' },
      { seq: 2, type: 'fault-intent', record: { faultId: 7, kind: 'test.marker', target: 't', reversible: 'yes', undo: {} } },
      { seq: 3, type: 'fault-injected' },
    ]);
    raw('20000101-000002-other-version-0006', [{ seq: 1, v: 3, type: 'drill-started', mode: 'adhoc', env: 'lab', pid: 1, host: 'h' }]);
    writeFileSync(journalFile('20000101-000003-torn-0007'), `${JSON.stringify({ v: 1, drillId: 'x', at: '2026-12-03T10:00:00.000Z', seq: 1, type: 'fault-intent', record: { faultId: 'f' } }).slice(0, 70)}`);
    writeFileSync(journalFile('20000101-000004-binary-0008'), Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0x7b, 0x22, 10]));
    // stray entries: a copy of a good journal, a directory and a FIFO named like journals, a huge sparse file
    copyFileSync(journalFile('20261203-100000-good-a-0001'), join(state, 'drills', '2024-12-31 copy.jsonl'));
    mkdirSync(join(state, 'drills', '0.jsonl'));
    expect(spawnSync('mkfifo', [journalFile('20000101-000005-fifo-0009')]).status).toBe(0);
    writeFileSync(journalFile('20000101-000006-huge-0010'), '');
    truncateSync(journalFile('20000101-000006-huge-0010'), 300 * 1024 * 1024);
    writeFileSync(join(state, 'drills', 'notes.txt'), 'not a journal, not named like one: ignored');

    const r = await halt();
    const all = r.stdout + r.stderr;
    if (process.env.SHOW_HALT_OUTPUT) console.log(all);
    expect(r.code).not.toBe(0);
    expect(EXIT_CODES).toContain(r.code);
    expect(all).not.toMatch(/this is a bug/);
    // every good fault reverted exactly once, whatever sorted before it
    for (const p of [...goodA.paths, ...goodB.paths]) expect(existsSync(p)).toBe(false);
    for (const log of [...goodA.logs, ...goodB.logs]) expect(revertsIn(log)).toBe(1);
    // the damaged intent is named with its line, and its fault is not claimed as reverted
    expect(all).toContain(`20261203-110000-lost-byte-0003.jsonl:${intentAt + 1}`);
    expect(existsSync(lost.paths[0]!)).toBe(true);
    for (const name of ['record-null-0004.jsonl:2', 'wrong-types-0005.jsonl:1', 'wrong-types-0005.jsonl:2', 'wrong-types-0005.jsonl:3', 'other-version-0006.jsonl:1', 'torn-0007.jsonl:1', 'binary-0008.jsonl', '2024-12-31 copy.jsonl', '0.jsonl', 'fifo-0009.jsonl', 'huge-0010.jsonl']) {
      expect(all, name).toContain(name);
    }
    expect(all).not.toContain('notes.txt');
    expect(all).not.toMatch(/✓ \d+ drill/);

    // again: nothing good is reverted twice, and the unreadable lines still keep it from saying "all clear"
    const again = await halt();
    expect(again.code).not.toBe(0);
    for (const log of [...goodA.logs, ...goodB.logs]) expect(revertsIn(log)).toBe(1);

    // status and history carry on too, and status shows the damaged drill as possibly active
    const status = await gamedayInProcess(['status'], { cwd });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/lost-byte-0003[\s\S]*could not be read[\s\S]*may hold an active fault/);
    expect((await gamedayInProcess(['history', '--adhoc'], { cwd })).code).toBe(0);
  });

  it('a FIFO named like a journal never hangs a real `gameday halt` or `status` (process bounded)', async () => {
    await ensureBuilt();
    const good = markerDrill('20261203-100000-good-0001', ['g']);
    expect(spawnSync('mkfifo', [journalFile('20261203-090000-fifo-0002')]).status).toBe(0);
    const env = cliEnv({ state, cache: join(root, 'cache') }, { GAMEDAY_ENABLE_TEST_INJECTORS: '1' });
    const r = runCli(['halt'], { cwd, env, timeoutMs: 20_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/fifo-0002\.jsonl: is a named pipe \(FIFO\), not a journal file/);
    expect(existsSync(good.paths[0]!)).toBe(false);
    expect(runCli(['status'], { cwd, env, timeoutMs: 20_000 }).code).toBe(0);
  });

  it('halt --env with a name no config and no journal knows is an error and sets no flag', async () => {
    markerDrill('20261203-100000-good-0001', ['g']);
    const r = await halt('--env', 'lab-typo');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown environment "lab-typo"/m);
    expect(existsSync(join(state, 'halt.json'))).toBe(false);
    expect((await halt('--env', 'lab')).code).toBe(0);
  });

  it('one damaged byte anywhere on a fault-intent line never gives exit 0 with the fault still in place', async () => {
    const id = '20261203-100000-damaged-0001';
    const { paths, logs } = markerDrill(id, ['d']);
    const original = readFileSync(journalFile(id));
    const text = original.toString('utf8');
    const start = text.indexOf('{', text.indexOf('\n') + 1); // the intent is the second line
    const end = text.indexOf('\n', start) + 1; // its newline included
    let cases = 0;
    let silentFailures = 0;
    for (let i = start; i < end; i++) {
      for (const damage of ['delete', 'replace'] as const) {
        const bytes = damage === 'delete' ? Buffer.concat([original.subarray(0, i), original.subarray(i + 1)]) : Buffer.from(original);
        if (damage === 'replace') bytes[i] = original[i] === 0x41 ? 0x42 : 0x41; // 'A' or 'B': printable, JSON-safe in strings
        rmSync(join(state, 'halt.json'), { force: true });
        writeFileSync(journalFile(id), bytes);
        writeFileSync(paths[0]!, id); // the fault is in place
        rmSync(logs[0]!, { force: true });
        const r = await halt();
        cases += 1;
        expect(EXIT_CODES).toContain(r.code);
        // exit 0 is only honest when the fault really was reverted
        if (r.code === 0 && existsSync(paths[0]!)) silentFailures += 1;
      }
    }
    expect(cases).toBeGreaterThan(400);
    expect(silentFailures).toBe(0);
  });
});
