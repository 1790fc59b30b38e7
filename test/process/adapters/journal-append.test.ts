/**
 * One journal, several writers (a live drill, halt, recover, the deadline keeper): appends are
 * serialized across processes, so sequence numbers stay unique and increasing; a lock left by a
 * writer killed mid-append is taken over; a torn last line does not swallow the next event; and
 * journals from older versions with a duplicated seq are read, folded and reported.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore, parseJournal } from '../../../src/adapters/journal-store.js';
import { maxSeqIn } from '../../../src/adapters/journal-append.js';
import { ensureBuilt } from '../../helpers/cli.js';

const APPENDER = resolve(import.meta.dirname, '../../fixtures/journal-appender-n.mjs');
let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'gd-append-'));
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) =>
  new Promise<number | null>((res) => {
    const c = spawn(process.execPath, [APPENDER, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    c.on('exit', res);
  });

const seqsOf = (file: string) => parseJournal(readFileSync(file, 'utf8')).events.map((e) => e.seq);

describe('journal appends from several processes at once', () => {
  it('4 processes × 60 appends on one journal: 240 events, seqs 1..240 each once, in file order', async () => {
    const store = new JournalStore(dir);
    const codes = await Promise.all(['a', 'b', 'c', 'd'].map((tag) => run([dir, 'd-many', '60', tag])));
    expect(codes).toEqual([0, 0, 0, 0]);
    const seqs = seqsOf(store.pathOf('d-many'));
    expect(seqs).toHaveLength(240);
    expect(seqs).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
    expect(store.read('d-many').problems).toEqual([]);
    expect(existsSync(`${store.pathOf('d-many')}.lock`)).toBe(false);
  }, 120_000);

  it('appendAll from 4 processes at once (batches of 7 beside single appends): every batch lands whole, its seqs consecutive', async () => {
    const store = new JournalStore(dir);
    const codes = await Promise.all([run([dir, 'd-batch', '70', 'a', 'batch=7']), run([dir, 'd-batch', '70', 'b', 'batch=7']), run([dir, 'd-batch', '30', 'c']), run([dir, 'd-batch', '30', 'd'])]);
    expect(codes).toEqual([0, 0, 0, 0]);
    const { events, problems } = store.read('d-batch');
    expect(problems).toEqual([]);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // each batch of a and b: 7 events in a row, in its own order, nobody else's line in between
    for (const tag of ['a', 'b']) {
      const at = new Map(events.flatMap((e) => (e.type === 'mark' && e.text?.startsWith(`${tag}-`) ? [[Number(e.text.slice(2)), e.seq] as const] : [])));
      expect(at.size).toBe(70);
      for (let first = 0; first < 70; first += 7) for (let k = 1; k < 7; k++) expect(at.get(first + k)).toBe(at.get(first)! + k);
    }
    // and the appender returns the events it wrote, listeners see each
    const w = store.open('d-batch');
    const seen: number[] = [];
    w.onAppend((e) => seen.push(e.seq));
    const wrote = w.appendAll([{ type: 'mark', mark: 'note', text: 'x-0' }, { type: 'mark', mark: 'note', text: 'x-1' }]);
    w.close();
    expect(wrote.map((e) => e.seq)).toEqual([201, 202]);
    expect(seen).toEqual([201, 202]);
    expect(seqsOf(store.pathOf('d-batch')).slice(-2)).toEqual([201, 202]);
  }, 120_000);

  it('4 processes ending one drill at once (halt and the drill itself): exactly one drill-ended', async () => {
    const store = new JournalStore(dir);
    const codes = await Promise.all(['a', 'b', 'c', 'd'].map((tag) => run([dir, 'd-ends', '15', tag, 'end'])));
    expect(codes).toEqual([0, 0, 0, 0]);
    const { events, problems } = store.read('d-ends');
    expect(problems).toEqual([]);
    expect(events.filter((e) => e.type === 'mark')).toHaveLength(60);
    expect(events.filter((e) => e.type === 'drill-ended')).toHaveLength(1);
    // and one more closer, later, appends nothing and says so
    const late = store.open('d-ends');
    expect(late.appendEnd({ type: 'drill-ended', reason: 'aborted', detail: 'closed by recover' })).toBeUndefined();
    late.close();
    expect(store.read('d-ends').events.filter((e) => e.type === 'drill-ended')).toHaveLength(1);
  }, 120_000);

  it('a writer that opened the journal before others appended continues after their highest seq', () => {
    const store = new JournalStore(dir);
    const early = store.open('d-interleave');
    early.append({ type: 'mark', mark: 'note', text: 'early 1' });
    const late = store.open('d-interleave');
    late.append({ type: 'mark', mark: 'note', text: 'late 1' });
    late.append({ type: 'mark', mark: 'note', text: 'late 2' });
    expect(early.append({ type: 'mark', mark: 'note', text: 'early 2' }).seq).toBe(4);
    early.close();
    late.close();
    expect(seqsOf(store.pathOf('d-interleave'))).toEqual([1, 2, 3, 4]);
  });

  it('a lock left by a writer that died is taken over; a live one on another host is waited for, then reported', () => {
    const store = new JournalStore(dir);
    const w = store.open('d-stale');
    const lock = `${store.pathOf('d-stale')}.lock`;
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() })); // no such pid
    expect(w.append({ type: 'mark', mark: 'note', text: 'after a dead writer' }).seq).toBe(1);
    expect(existsSync(lock)).toBe(false);
    w.close();
  });

  it('a torn last line (a writer killed mid-write) is closed before the next event; its seq is free again, as readers never saw it', () => {
    const store = new JournalStore(dir);
    const w = store.open('d-torn');
    w.append({ type: 'mark', mark: 'note', text: 'one' });
    appendFileSync(store.pathOf('d-torn'), '{"v":1,"drillId":"d-torn","at":"x","seq":2,"type":"ma'); // another process died here
    const e = w.append({ type: 'mark', mark: 'note', text: 'three' });
    expect(e.seq).toBe(2); // readable events stay 1..n
    w.close();
    const read = store.read('d-torn');
    expect(read.events.map((x) => x.seq)).toEqual([1, 2]);
    expect(read.problems).toHaveLength(1); // the torn fragment, reported and skipped
  });

  it('an older journal with one seq written twice is read and folded, and the duplicate is reported', () => {
    const store = new JournalStore(dir);
    const f = store.pathOf('d-dup');
    const line = (seq: number, text: string) => `${JSON.stringify({ v: 1, drillId: 'd-dup', at: new Date().toISOString(), seq, type: 'mark', mark: 'note', text })}\n`;
    writeFileSync(f, line(1, 'a') + line(2, 'halt') + line(2, 'keeper') + line(3, 'b'));
    const read = store.read('d-dup');
    expect(read.events).toHaveLength(4);
    expect(read.problems.map((p) => p.message)).toEqual([expect.stringMatching(/seq 2 appears more than once/)]);
    expect(store.fold('d-dup').state.marks).toHaveLength(4);
    const w = store.open('d-dup');
    expect(w.append({ type: 'mark', mark: 'note', text: 'next' }).seq).toBe(4);
    w.close();
  });

  it('maxSeqIn reads the envelope seq of readable lines only (not a "seq" inside the body, not a torn line)', () => {
    expect(maxSeqIn('{"v":1,"drillId":"x","at":"t","seq":7,"type":"mark","text":"\\"seq\\":99"}\n{"v":1,"seq":3}\n')).toBe(7);
    expect(maxSeqIn('{"v":1,"seq":4}\n{"v":1,"seq":9,"ty\n{"v":1,"seq":12')).toBe(4);
    expect(maxSeqIn('')).toBe(0);
  });
});
