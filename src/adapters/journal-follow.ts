/**
 * Follows one drill's journal as another process appends to it (`tail -f`, line by line): the
 * room's screen reads a drill run by `gameday run` elsewhere. Only whole lines are read (an append
 * is one write of a whole line, so a line without its newline is still being written); each is
 * checked like every journal line (checksum and schema, journal-store.ts `readLine`), and a bad
 * one is reported and skipped, never fatal.
 *
 * inotify (fs.watch) says at once that the file changed; a stat every `pollMs` covers file systems
 * that do not deliver it, and notices a journal replaced or cut, which starts the reading over.
 */
import { closeSync, fstatSync, openSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';
import type { DrillEvent } from '../core/events.js';
import { readLine, type JournalProblem } from './journal-store.js';

export interface FollowHandlers {
  /** new events, in file order (called once per batch of lines read) */
  onEvents(events: DrillEvent[], problems: JournalProblem[]): void;
  /** the file was replaced or cut: forget what was read, events come again from the start */
  onReset(): void;
}

export interface JournalFollower {
  /** reads what was appended since the last read (also called by the watch and the poll) */
  poll(): void;
  stop(): void;
}

export function followJournal(file: string, handlers: FollowHandlers, opts: { pollMs?: number } = {}): JournalFollower {
  let offset = 0;
  let lineNo = 0;
  let inode: number | undefined;
  let stopped = false;
  const poll = () => {
    if (stopped) return;
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return; // not there yet, or removed: the next poll looks again
    }
    watching.watch(); // the file is there (again): be told of its next append at once
    try {
      const st = fstatSync(fd);
      if ((inode !== undefined && st.ino !== inode) || st.size < offset) {
        offset = 0;
        lineNo = 0;
        watching.rewatch(); // it watched the old file
        handlers.onReset();
      }
      inode = st.ino;
      if (st.size === offset) return;
      const buf = Buffer.alloc(st.size - offset);
      const n = readSync(fd, buf, 0, buf.length, offset);
      const end = buf.subarray(0, n).lastIndexOf(0x0a);
      if (end < 0) return; // a line still being written
      offset += end + 1;
      deliver(buf.subarray(0, end).toString('utf8'));
    } finally {
      closeSync(fd);
    }
  };

  const deliver = (text: string) => {
    const events: DrillEvent[] = [];
    const problems: JournalProblem[] = [];
    for (const line of text.split('\n')) {
      lineNo += 1;
      if (line.trim() === '') continue;
      const read = readLine(line);
      if (read.event) events.push(read.event);
      else problems.push({ file, line: lineNo, message: `unreadable line skipped: ${read.error}` });
    }
    if (events.length || problems.length) handlers.onEvents(events, problems);
  };

  const watching = watchAndPoll(file, poll, opts.pollMs ?? 500);
  poll();
  return {
    poll,
    stop() {
      stopped = true;
      watching.stop();
    },
  };
}

/**
 * Tells `onNewest` of the newest drill in a drills folder, and again each time a newer one appears
 * (ids start with their start time, so the newest sorts last): `gameday screen --latest` left on all
 * afternoon moves to each drill as it starts. Only forward: a newer journal removed does not send
 * the screen back. The folder's watch says at once; a poll every `pollMs` covers file systems
 * without one (and a folder created later).
 */
export function followNewestJournal(dir: string, list: () => string[], onNewest: (drillId: string) => void, opts: { pollMs?: number } = {}): { stop(): void } {
  let current: string | undefined;
  let stopped = false;
  const check = () => {
    if (stopped) return;
    const newest = list().at(-1);
    if (newest === undefined || (current !== undefined && newest <= current)) return;
    current = newest;
    onNewest(newest);
  };
  const watching = watchAndPoll(dir, check, opts.pollMs ?? 250);
  check();
  return {
    stop() {
      stopped = true;
      watching.stop();
    },
  };
}

/**
 * Calls `look` on each fs.watch event of `path` and every `pollMs` (the caller looks once itself,
 * when what `look` uses is set up): inotify says at once,
 * the poll covers file systems without it and a path that appears later (each tick arms the watch
 * again if it is missing). `rewatch` drops the watch of a path that was replaced, and watches anew.
 */
function watchAndPoll(path: string, look: () => void, pollMs: number): { watch(): void; rewatch(): void; stop(): void } {
  let watcher: FSWatcher | undefined;
  let stopped = false;
  const arm = () => {
    if (watcher || stopped) return;
    try {
      statSync(path);
      watcher = watch(path, { persistent: false }, () => look());
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined; // the poll carries on, and watches again when the path is back
      });
    } catch {
      // not there yet: the poll looks again
    }
  };
  const timer = setInterval(() => {
    arm();
    look();
  }, pollMs);
  timer.unref();
  arm();
  return {
    watch: arm,
    rewatch() {
      watcher?.close();
      watcher = undefined;
      arm();
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      watcher?.close();
    },
  };
}
