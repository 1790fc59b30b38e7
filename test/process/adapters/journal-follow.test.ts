/**
 * Following a journal another writer appends to (adapters/journal-follow.ts): whole lines only, a
 * damaged line reported and skipped, and a journal replaced or cut read again from its start.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { followJournal, followNewestJournal, type JournalFollower } from '../../../src/adapters/journal-follow.js';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import type { DrillEvent } from '../../../src/core/events.js';
import { tmp } from '../../helpers/drill.js';

const ID = '20261203-140000-follow-abcd';
let follower: JournalFollower | undefined;
afterEach(() => follower?.stop());

function setup() {
  const state = tmp('gameday-follow-');
  mkdirSync(join(state, 'drills'));
  const store = new JournalStore(state);
  const seen: DrillEvent[] = [];
  const problems: string[] = [];
  let resets = 0;
  follower = followJournal(store.pathOf(ID), { onEvents: (e, p) => (seen.push(...e), problems.push(...p.map((x) => `${x.line}: ${x.message}`))), onReset: () => (resets += 1, (seen.length = 0)) }, { pollMs: 60_000 });
  return { store, file: store.pathOf(ID), seen, problems, resets: () => resets };
}

const line = (seq: number, extra = {}) => `${JSON.stringify({ v: 1, drillId: ID, seq, at: new Date(Date.UTC(2026, 11, 3, 14, 0, seq)).toISOString(), type: 'mark', mark: 'note', text: `n${seq}`, ...extra })}\n`;

describe('following a journal', () => {
  it('reads whole lines as they come, never half a line', () => {
    const { file, seen } = setup();
    follower!.poll(); // no file yet: nothing, no error
    writeFileSync(file, line(1));
    follower!.poll();
    expect(seen.map((e) => e.seq)).toEqual([1]);
    const second = line(2);
    appendFileSync(file, second.slice(0, 20)); // a writer mid-line
    follower!.poll();
    expect(seen.map((e) => e.seq)).toEqual([1]);
    appendFileSync(file, second.slice(20) + line(3));
    follower!.poll();
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('checks every line like any reader: a damaged one is reported with its line and skipped', () => {
    const { store, file, seen, problems } = setup();
    const w = store.open(ID);
    w.append({ type: 'mark', mark: 'detected' });
    appendFileSync(file, line(2).replace('"v":1', '"v":2')); // claims a checksum it lacks
    w.close();
    const w2 = store.open(ID);
    w2.append({ type: 'mark', mark: 'mitigated' });
    w2.close();
    follower!.poll();
    expect(seen.map((e) => (e.type === 'mark' ? e.mark : e.type))).toEqual(['detected', 'mitigated']);
    expect(problems).toEqual(['2: unreadable line skipped: checksum missing or damaged']);
  });

  it('starts over when the journal is replaced or cut', () => {
    const { file, seen, resets } = setup();
    writeFileSync(file, line(1) + line(2));
    follower!.poll();
    writeFileSync(`${file}.new`, line(1, { text: 'again' }));
    renameSync(`${file}.new`, file);
    follower!.poll();
    expect(resets()).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ text: 'again' });
  });

  it('is told at once (inotify), without waiting for its poll', async () => {
    const { file, seen } = setup();
    writeFileSync(file, line(1));
    follower!.poll(); // watches from now on
    appendFileSync(file, line(2));
    const until = Date.now() + 2000;
    while (seen.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(seen.map((e) => e.seq)).toEqual([1, 2]);
  });
});

describe('following the newest journal of a drills folder', () => {
  const waitFor = async (done: () => boolean) => {
    const until = Date.now() + 2000;
    while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  };

  it('names the newest drill, then each newer one as it appears (told by the folder watch, not its hour-long poll); never goes back', async () => {
    const state = tmp('gameday-newest-');
    mkdirSync(join(state, 'drills'));
    const store = new JournalStore(state);
    writeFileSync(store.pathOf('20261203-090000-a-0001'), line(1));
    writeFileSync(store.pathOf('20261203-100000-b-0002'), line(1));
    const seen: string[] = [];
    const newest = followNewestJournal(store.dir, () => store.list(), (id) => seen.push(id), { pollMs: 3_600_000 });
    try {
      expect(seen).toEqual(['20261203-100000-b-0002']);
      writeFileSync(store.pathOf('20261203-140000-c-0003'), '');
      await waitFor(() => seen.length === 2);
      expect(seen).toEqual(['20261203-100000-b-0002', '20261203-140000-c-0003']);
      // an older journal turning up, or the newest removed, does not move the screen back
      writeFileSync(store.pathOf('20261203-080000-z-0000'), line(1));
      rmSync(store.pathOf('20261203-140000-c-0003'));
      writeFileSync(store.pathOf('20261203-150000-d-0004'), '');
      await waitFor(() => seen.length === 3);
      expect(seen).toEqual(['20261203-100000-b-0002', '20261203-140000-c-0003', '20261203-150000-d-0004']);
    } finally {
      newest.stop();
    }
  });
});
