/**
 * The journal's reader and writer, without processes: torn and garbage lines are reported and
 * skipped, never fatal; a journal continued after a crash keeps every acknowledged event.
 */
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalStore, newDrillId, parseJournal } from '../../../src/adapters/journal-store.js';
import type { DrillEvent } from '../../../src/core/events.js';

const line = (seq: number, extra: Record<string, unknown> = {}) => JSON.stringify({ v: 1, drillId: 'd1', at: '2026-11-25T14:00:00.000Z', seq, type: 'mark', mark: 'note', ...extra });

describe('parseJournal', () => {
  it('an empty file has no events and no problems', () => {
    expect(parseJournal('', 'j')).toEqual({ events: [], problems: [] });
    expect(parseJournal('\n\n', 'j')).toEqual({ events: [], problems: [] });
  });

  it('reads whole lines', () => {
    const r = parseJournal(`${line(1)}\n${line(2)}\n`, 'j');
    expect(r.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(r.problems).toEqual([]);
  });

  it('a torn last line (no newline: the writer died mid-write) is reported and skipped', () => {
    const full = line(3);
    for (const cut of [1, 10, full.length - 1]) {
      const r = parseJournal(`${line(1)}\n${line(2)}\n${full.slice(0, cut)}`, 'j.jsonl');
      expect(r.events.map((e) => e.seq)).toEqual([1, 2]);
      expect(r.problems).toEqual([{ file: 'j.jsonl', line: 3, message: expect.stringMatching(/^torn last line \(no newline\), unreadable line skipped: /), mayHideFault: true }]);
    }
  });

  it('a last line that is a whole event but lost its newline is read (only the newline is missing: never drop an intent)', () => {
    const r = parseJournal(`${line(1)}\n${line(2)}`, 'j');
    expect(r.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(r.problems).toEqual([]);
  });

  it('a garbage line in the middle is skipped with a problem naming its line; the rest is kept', () => {
    const r = parseJournal([line(1), '{"v":1,"drillId":"d1","se', 'not json at all', '[1,2]', '{"type":"mark"}', 'null', line(2), ''].join('\n'), 'j');
    expect(r.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(r.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6]);
    for (const p of r.problems) expect(p.message).toMatch(/^unreadable line skipped: /);
    // only a line that is clearly another kind of event cannot have been a fault's intent
    expect(r.problems.map((p) => p.mayHideFault)).toEqual([true, true, true, false, true]);
  });

  it('survives every prefix of a journal (a crash at any byte)', () => {
    const text = `${line(1)}\n${line(2, { text: 'é😀' })}\n${line(3)}\n`;
    for (let i = 0; i <= text.length; i++) {
      const r = parseJournal(text.slice(0, i), 'j');
      const prefix = text.slice(0, i);
      // lines with their newline, plus a last line that is whole but for its newline
      const whole = prefix.split('\n').filter((l, n, all) => n < all.length - 1 || l === line(n + 1) || l === line(2, { text: 'é😀' })).length;
      const complete = prefix.endsWith('\n') || prefix === '' ? prefix.split('\n').length - 1 : whole;
      expect(r.events.map((e) => e.seq)).toEqual([1, 2, 3].slice(0, complete));
      expect(r.problems.length).toBeLessThanOrEqual(1);
    }
  });
});

describe('JournalStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gd-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends numbered events, continues an existing journal, and folds it', () => {
    const store = new JournalStore(dir);
    const w = store.open('d1');
    w.append({ type: 'drill-started', mode: 'adhoc', env: 'lab', pid: 1, host: 'h' }, new Date('2026-11-25T14:00:00Z'));
    const seen: DrillEvent[] = [];
    w.onAppend((e) => seen.push(e));
    w.append({ type: 'mark', mark: 'detected' });
    w.close();
    expect(() => w.append({ type: 'mark', mark: 'note' })).toThrowError(/closed/);
    const w2 = store.open('d1');
    expect(w2.append({ type: 'drill-ended', reason: 'completed' }).seq).toBe(3);
    w2.close();
    expect(seen.map((e) => e.seq)).toEqual([2]);
    const { state, problems } = store.fold('d1');
    expect(problems).toEqual([]);
    expect(state).toMatchObject({ env: 'lab', startedAt: '2026-11-25T14:00:00.000Z', endReason: 'completed', lastSeq: 3, eventCount: 3 });
    expect(store.list()).toEqual(['d1']);
    expect(statSync(store.pathOf('d1')).mode & 0o777).toBe(0o600);
  });

  it('refuses drill ids that are not safe file names', () => {
    const store = new JournalStore(dir);
    for (const bad of ['../etc/passwd', 'A', '', 'x/y', 'a'.repeat(64)]) expect(() => store.pathOf(bad)).toThrowError(/not a drill id/);
    expect(() => store.read('nope')).toThrowError(/no journal for drill nope/);
  });

  it('continuing a journal whose last line was torn by a crash keeps the next acknowledged event', () => {
    const store = new JournalStore(dir);
    const w = store.open('d1');
    w.append({ type: 'mark', mark: 'note', text: 'before the crash' });
    w.close();
    // what a SIGKILL in the middle of a write leaves: part of a line, no newline
    appendFileSync(store.pathOf('d1'), line(2).slice(0, 40));
    const w2 = store.open('d1');
    const acked = w2.append({ type: 'mark', mark: 'note', text: 'after the crash' });
    w2.close();
    const { events, problems } = store.read('d1');
    expect(events.map((e) => e.seq)).toContain(acked.seq);
    expect(events.map((e) => (e as { text?: string }).text)).toEqual(['before the crash', 'after the crash']);
    expect(problems).toHaveLength(1); // the torn fragment, reported
  });

  it('a journal holding only a torn line opens and continues from seq 1', () => {
    const store = new JournalStore(dir);
    const w = store.open('d2');
    w.close();
    appendFileSync(store.pathOf('d2'), '{"v":1,"dri');
    const w2 = store.open('d2');
    expect(w2.append({ type: 'mark', mark: 'note' }).seq).toBe(1);
    w2.close();
    expect(store.read('d2').events.map((e) => e.seq)).toEqual([1]);
  });
});

describe('newDrillId', () => {
  it('sorts by time, keeps a readable slug and is a valid label value', () => {
    const id = newDrillId('K8s.Pod  Kill!!', new Date('2026-11-25T14:03:09Z'), () => 0.5);
    expect(id).toBe('20261125-140309-k8s-pod-kill-7fff');
    expect(newDrillId('', new Date('2026-11-25T14:03:09Z'), () => 0)).toBe('20261125-140309-drill-0000');
    expect(newDrillId('x'.repeat(100)).length).toBeLessThanOrEqual(63);
  });
});
