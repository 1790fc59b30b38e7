/**
 * Append-only JSON-lines journals, one file per drill under <stateDir>/drills/<drillId>.jsonl.
 * Each append is one write of a whole line to an O_APPEND descriptor followed by fsync, so when
 * `append` returns the event is on disk. A crash can tear at most the last line; readers report
 * and skip it. Several processes may append to one journal (a run and a `halt`): O_APPEND keeps
 * whole lines whole.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { DrillEvent, DrillEventBody } from '../core/events.js';
import { foldDrill, type DrillState } from '../core/drill-state.js';
import { GamedayError } from '../core/errors.js';
import { SerializedAppender } from './journal-append.js';
import { duplicateSeqProblems } from './journal-seq.js';

export interface JournalProblem {
  file: string;
  line: number;
  message: string;
}

export interface JournalRead {
  events: DrillEvent[];
  problems: JournalProblem[];
}

const DRILL_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export class JournalStore {
  readonly dir: string;
  constructor(stateDir: string) {
    this.dir = join(stateDir, 'drills');
  }

  pathOf(drillId: string): string {
    if (!DRILL_ID.test(drillId)) throw new GamedayError('INVALID_INPUT', `not a drill id: "${drillId}"`, { hint: 'see `gameday status` for the drill ids' });
    return join(this.dir, `${drillId}.jsonl`);
  }

  exists(drillId: string): boolean {
    return existsSync(this.pathOf(drillId));
  }

  /** Drill ids, oldest first (ids start with a timestamp). */
  list(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => f.slice(0, -'.jsonl'.length))
      .sort();
  }

  read(drillId: string): JournalRead {
    const file = this.pathOf(drillId);
    if (!existsSync(file)) throw new GamedayError('NOT_FOUND', `no journal for drill ${drillId} in ${this.dir}`, { hint: 'see `gameday status` for the drill ids' });
    const read = parseJournal(readFileSync(file, 'utf8'), file);
    read.problems.push(...duplicateSeqProblems(read.events, file)); // older versions could write one seq twice
    return read;
  }

  fold(drillId: string): { state: DrillState; problems: JournalProblem[] } {
    const { events, problems } = this.read(drillId);
    return { state: foldDrill(drillId, events), problems };
  }

  /** Opens a journal for appending: creates it for a new drill, continues an existing one. */
  open(drillId: string): JournalWriter {
    const file = this.pathOf(drillId);
    const isNew = !existsSync(file);
    mkdirSync(this.dir, { recursive: true });
    let lastSeq = 0;
    if (!isNew) {
      let text = readFileSync(file, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) {
        // a crash tore the last line: end it here, so the next event starts a line of its own
        // (otherwise it would be glued to the fragment and lost with it)
        terminateTornLine(file);
        text += '\n';
      }
      lastSeq = parseJournal(text, file).events.reduce((m, e) => Math.max(m, e.seq), 0);
    }
    const writer = new JournalWriter(file, drillId, lastSeq);
    if (isNew) fsyncDir(this.dir); // the new file's directory entry must survive a crash too
    return writer;
  }
}

export class JournalWriter {
  private fd: number | undefined;
  private readonly listeners: ((e: DrillEvent) => void)[] = [];
  private readonly appender: SerializedAppender;
  constructor(
    readonly file: string,
    readonly drillId: string,
    lastSeq: number,
  ) {
    this.fd = openSync(file, 'a', 0o600);
    // other processes may append too: seq is assigned under a cross-process lock (journal-append.ts)
    this.appender = new SerializedAppender(file, this.fd, lastSeq);
  }

  /** Appends and fsyncs one event; returns once it is durable. */
  append(body: DrillEventBody, at: Date = new Date()): DrillEvent {
    if (this.fd === undefined) throw new GamedayError('INTERNAL', `journal ${this.file} is closed`);
    let event!: DrillEvent;
    this.appender.append((seq) => {
      event = { v: 1, drillId: this.drillId, at: at.toISOString(), seq, ...body } as DrillEvent;
      return `${JSON.stringify(event)}\n`;
    });
    for (const l of this.listeners) l(event);
    return event;
  }

  /** Called after each durable append (hosts render journal events as they happen). */
  onAppend(listener: (e: DrillEvent) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Parses a journal's text. Bad lines are reported and skipped, never fatal. */
export function parseJournal(text: string, file = '<journal>'): JournalRead {
  const events: DrillEvent[] = [];
  const problems: JournalProblem[] = [];
  const lines = text.split('\n');
  const lastIndex = lines.length - 1; // after the final \n comes an empty string
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const torn = i === lastIndex; // no newline after it: the write never finished
    try {
      const e = JSON.parse(line) as DrillEvent;
      if (typeof e !== 'object' || e === null || typeof e.type !== 'string' || typeof e.drillId !== 'string') throw new Error('not an event');
      if (torn) throw new Error('unterminated line');
      events.push(e);
    } catch (err) {
      problems.push({ file, line: i + 1, message: torn ? 'torn last line (the writer stopped mid-write); skipped' : `unreadable line skipped: ${(err as Error).message}` });
    }
  });
  return { events, problems };
}

function terminateTornLine(file: string): void {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some filesystems refuse fsync on directories; the file's own fsync still holds
  }
}

/** Drill ids sort by time and are safe as Kubernetes label values (≤ 63 chars) and AWS tags. */
export function newDrillId(slug: string, now = new Date(), random: () => number = Math.random): string {
  const ts = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15).toLowerCase();
  const clean = slug.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 36).replace(/-+$/, '') || 'drill';
  const suffix = Math.floor(random() * 0xffff).toString(16).padStart(4, '0');
  return `${ts}-${clean}-${suffix}`;
}

export const thisHost = (): string => hostname();
