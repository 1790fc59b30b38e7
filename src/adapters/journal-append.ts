/**
 * Appends that cannot collide. Several processes may write one drill's journal (the live drill,
 * `halt`, `recover`, the deadline keeper). Each append takes a short cross-process lock
 * (<journal>.lock, created atomically, taken over when its owner died), reads the highest `seq`
 * on disk if the file grew since this writer last looked, and writes the next one: sequence
 * numbers stay unique and increasing across writers. The lock is held for one write + fsync.
 */
import { fstatSync, fsyncSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { GamedayError } from '../core/errors.js';
import { createWithContent, isStale, parseOwner, readRaw, releaseIfMine, takeOverStale, type Owner } from './exclusive-file.js';

/** An append holds the lock for a write and an fsync (milliseconds); waiting longer means a stuck owner. */
export const APPEND_LOCK_WAIT_MS = 5_000;

const sleepSync = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * A journal's readable events that pass `mentions` (a cheap test on the raw line, before parsing):
 * whole lines that parse, as readers see them. After the last newline is either nothing or a line
 * still being written, which is not an event yet; a line torn by a writer that died is skipped.
 */
function* wholeEvents(text: string, mentions: string): Generator<Record<string, unknown>> {
  const lines = text.split('\n');
  lines.pop();
  for (const line of lines) {
    if (!line.includes(mentions)) continue;
    try {
      const event: unknown = JSON.parse(line);
      if (event !== null && typeof event === 'object') yield event as Record<string, unknown>;
    } catch {
      // torn or corrupt: not an event for anyone
    }
  }
}

/**
 * The highest `seq` among a journal's readable events. A torn line's seq is free again (the
 * readable events stay numbered 1..n, as before appends were serialized).
 */
export function maxSeqIn(text: string): number {
  let max = 0;
  for (const { seq } of wholeEvents(text, '"seq":')) if (typeof seq === 'number' && Number.isInteger(seq)) max = Math.max(max, seq);
  return max;
}

/** Whether a journal's text holds the drill's end: a readable drill-ended event. */
export function hasEndIn(text: string): boolean {
  for (const { type } of wholeEvents(text, '"drill-ended"')) if (type === 'drill-ended') return true;
  return false;
}

export class SerializedAppender {
  private seenSize: number;
  constructor(
    private readonly file: string,
    private readonly fd: number,
    private lastSeq: number,
    /** how to end a line another writer left without its newline (default: a plain newline) */
    private readonly endFragment: (fragment: string) => string = () => '\n',
  ) {
    // unknown: another process may have appended between the caller's read of lastSeq and now
    this.seenSize = -1;
  }

  /** Writes `count` lines, `build(first seq)`, numbered first..first+count-1, durably in one write and one fsync; returns the first seq. */
  appendBatch(count: number, build: (firstSeq: number) => string): number {
    return this.appendUnless(undefined, build, count)!;
  }

  /**
   * The same (one line by default), unless `done(the file's text)` says the line is not wanted any more — decided under
   * the lock, so no other writer can slip in between the look and the write. undefined when skipped.
   */
  appendUnless(done: ((text: string) => boolean) | undefined, build: (seq: number) => string, count = 1): number | undefined {
    const release = lockFile(`${this.file}.lock`);
    try {
      const size = fstatSync(this.fd).size;
      // read once, and only when needed: to decide, or because someone else appended since our last write
      const text = done || size !== this.seenSize ? readFileSync(this.file, 'utf8') : '';
      if (done?.(text)) return undefined;
      if (size !== this.seenSize) {
        // someone else appended since we last wrote: continue after their highest seq
        this.lastSeq = Math.max(this.lastSeq, maxSeqIn(text));
        // a writer died mid-line: ours starts a line of its own
        if (text.length > 0 && !text.endsWith('\n')) writeSync(this.fd, this.endFragment(text.slice(text.lastIndexOf('\n') + 1)));
      }
      const seq = this.lastSeq + 1;
      writeSync(this.fd, build(seq));
      fsyncSync(this.fd);
      this.lastSeq = seq + count - 1;
      this.seenSize = fstatSync(this.fd).size;
      return seq;
    } finally {
      release();
    }
  }
}

/** Takes `lock` (waiting up to APPEND_LOCK_WAIT_MS for a live owner); returns the release. */
function lockFile(lock: string): () => void {
  const text = JSON.stringify({ pid: process.pid, host: hostname() } satisfies Owner);
  const until = Date.now() + APPEND_LOCK_WAIT_MS;
  for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
    if (createWithContent(lock, text)) return () => releaseIfMine(lock, text);
    const raw = readRaw(lock);
    if (raw !== undefined && isStale(parseOwner(raw))) {
      takeOverStale(lock, raw);
      continue;
    }
    if (Date.now() > until) {
      const o = parseOwner(raw);
      throw new GamedayError('LOCKED', `cannot append to the journal: ${lock} is held by pid ${o?.pid ?? '?'} on ${o?.host ?? '?'} for more than ${APPEND_LOCK_WAIT_MS / 1000} s`, {
        hint: `if that process is stuck, stop it; if it is gone, remove ${lock}`,
      });
    }
    sleepSync(wait);
  }
}
