/**
 * Append-only JSON-lines journals, one file per drill under <stateDir>/drills/<drillId>.jsonl.
 * Each append is one write of a whole line to an O_APPEND descriptor followed by fsync, so when
 * `append` returns the event is on disk. Several processes may append to one journal (a run and a
 * `halt`): O_APPEND keeps whole lines whole.
 *
 * Reading is defensive: every line is checked against the event schemas (src/core/events.ts); a
 * line that fails is reported once with file:line and the field, and the fold carries on without
 * it. Since a lost line may have been a fault's intent, each problem says whether it could hide an
 * active fault: `halt` and `recover` then refuse to call the drill clean.
 */
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { drillEventSchema, isEventType, JOURNAL_LINE_VERSION, type DrillEvent, type DrillEventBody, type EventBodyOf } from '../core/events.js';
import { foldDrill, type DrillState } from '../core/drill-state.js';
import { GamedayError } from '../core/errors.js';
import { clip } from '../core/text.js';
import { describeFileType, FileReadError, readRegularFile } from './regular-file.js';
import { hasEndIn, SerializedAppender } from './journal-append.js';
import { duplicateSeqProblems } from './journal-seq.js';
import { FaultClaims } from './fault-claim.js';
import type { JournalAppender, JournalPort, JournalProblem, JournalRead } from '../ports/journal.js';

export type { JournalProblem, JournalRead } from '../ports/journal.js';

/** A journal larger than this is refused rather than read into memory (a sparse or runaway file; a string cannot hold 512 MiB anyway). */
export const MAX_JOURNAL_BYTES = 256 * 1024 * 1024;


export const DRILL_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export class JournalStore implements JournalPort {
  readonly dir: string;
  /** one reverter per fault: the claims live in the same state directory (<stateDir>/claims) */
  readonly claims: FaultClaims;
  constructor(stateDir: string) {
    this.dir = join(stateDir, 'drills');
    this.claims = new FaultClaims(join(stateDir, 'claims'));
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
    return this.scan().ids;
  }

  /**
   * The drills folder: the ids of readable journals, oldest first, and a problem for every entry
   * that looks like a journal but is not one we can read (`2024-12-31 copy.jsonl`, a directory
   * named `0.jsonl`, a FIFO). Such an entry may be a drill's journal under the wrong name, so it
   * counts as possibly hiding a fault.
   */
  scan(): { ids: string[]; problems: JournalProblem[] } {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { ids: [], problems: [] };
      return { ids: [], problems: [{ file: this.dir, line: 0, message: `cannot list the drills folder: ${code ?? String(e)}`, mayHideFault: true }] };
    }
    const ids: string[] = [];
    const problems: JournalProblem[] = [];
    for (const name of names.filter((f) => f.endsWith('.jsonl')).sort()) {
      const file = join(this.dir, name);
      const id = name.slice(0, -'.jsonl'.length);
      if (!DRILL_ID.test(id)) {
        problems.push({ file, line: 0, message: 'not a drill journal name (a copy or a stray file?); not read', mayHideFault: true });
        continue;
      }
      let kind: string | undefined;
      try {
        const st = lstatSync(file);
        if (!st.isFile()) kind = describeFileType(st);
      } catch {
        continue; // removed while we looked
      }
      if (kind) problems.push({ file, line: 0, message: `is ${kind}, not a journal file; not read`, mayHideFault: true });
      else ids.push(id);
    }
    return { ids, problems };
  }

  read(drillId: string): JournalRead {
    const file = this.pathOf(drillId);
    if (!existsSync(file)) throw new GamedayError('NOT_FOUND', `no journal for drill ${drillId} in ${this.dir}`, { hint: 'see `gameday status` for the drill ids' });
    const read = parseJournal(readRegularFile(file, { what: 'journal', maxBytes: MAX_JOURNAL_BYTES }).toString('utf8'), file);
    read.problems.push(...duplicateSeqProblems(read.events, file)); // older versions could write one seq twice
    return read;
  }

  /**
   * Like `read`, but a journal that cannot be read at all (vanished, not a file, too big,
   * permission denied) comes back as one problem instead of an exception: commands that look at
   * every drill carry on with the others.
   */
  readSafely(drillId: string): JournalRead {
    try {
      return this.read(drillId);
    } catch (e) {
      const message = e instanceof FileReadError ? e.short : e instanceof Error ? e.message.split('\n')[0]! : String(e);
      return { events: [], problems: [{ file: join(this.dir, `${drillId}.jsonl`), line: 0, message: `cannot read the journal: ${message}`, mayHideFault: true }] };
    }
  }

  fold(drillId: string): { state: DrillState; problems: JournalProblem[] } {
    const { events, problems } = this.readSafely(drillId);
    return { state: foldDrill(drillId, events), problems };
  }

  /** Opens a journal for appending: creates it for a new drill, continues an existing one. */
  open(drillId: string): JournalWriter {
    const file = this.pathOf(drillId);
    const isNew = !existsSync(file);
    mkdirSync(this.dir, { recursive: true });
    let lastSeq = 0;
    if (!isNew) {
      let text = readRegularFile(file, { what: 'journal', maxBytes: MAX_JOURNAL_BYTES }).toString('utf8');
      if (text.length > 0 && !text.endsWith('\n')) {
        // the last line lacks its newline: end it here, so the next event starts a line of its own
        // (otherwise it would be glued to the fragment and lost with it). A fragment that is not a
        // whole event keeps a mark, so readers still count it as a cut (possibly hiding a fault)
        // once it is no longer the last line.
        const whole = readLine(text.slice(text.lastIndexOf('\n') + 1)).event !== undefined;
        const ending = whole ? '\n' : `${TORN_MARK}\n`;
        terminateTornLine(file, ending);
        text += ending;
      }
      lastSeq = parseJournal(text, file).events.reduce((m, e) => Math.max(m, e.seq), 0);
    }
    const writer = new JournalWriter(file, drillId, lastSeq);
    if (isNew) fsyncDir(this.dir); // the new file's directory entry must survive a crash too
    return writer;
  }
}

export class JournalWriter implements JournalAppender {
  private fd: number | undefined;
  private readonly listeners: ((e: DrillEvent) => void)[] = [];
  private readonly appender: SerializedAppender;
  /** the clock events are stamped with: the drill's own (a test's fake clock), else the system's */
  now: () => number = Date.now;
  constructor(
    readonly file: string,
    readonly drillId: string,
    lastSeq: number,
  ) {
    this.fd = openSync(file, 'a', 0o600);
    // other processes may append too: seq is assigned under a cross-process lock (journal-append.ts)
    this.appender = new SerializedAppender(file, this.fd, lastSeq, endTornFragment);
  }

  /** Appends and fsyncs one event; returns once it is durable. */
  append(body: DrillEventBody, at: Date = new Date(this.now())): DrillEvent {
    return this.appendAll([body], at)[0]!;
  }

  /**
   * Appends the events as one write and one fsync, with consecutive seqs. The seqs come from the
   * cross-process appender: unique even when halt, recover and the deadline keeper write the same
   * journal at once.
   */
  appendAll(bodies: readonly DrillEventBody[], at: Date = new Date(this.now())): DrillEvent[] {
    if (this.fd === undefined) throw new GamedayError('INTERNAL', `journal ${this.file} is closed`);
    if (bodies.length === 0) return [];
    let events: DrillEvent[] = [];
    this.appender.appendBatch(bodies.length, (first) => {
      const built = bodies.map((body, i) => journalLine(this.drillId, first + i, at, body));
      events = built.map((b) => b.event);
      return built.map((b) => b.line).join('');
    });
    for (const event of events) for (const l of this.listeners) l(event);
    return events;
  }

  appendEnd(body: EventBodyOf<'drill-ended'>, at: Date = new Date(this.now())): DrillEvent | undefined {
    if (this.fd === undefined) throw new GamedayError('INTERNAL', `journal ${this.file} is closed`);
    let event: DrillEvent | undefined;
    this.appender.appendUnless(hasEndIn, (seq) => {
      const built = journalLine(this.drillId, seq, at, body);
      event = built.event;
      return built.line;
    });
    if (event) for (const l of this.listeners) l(event);
    return event;
  }

  /** Called after each durable append (hosts render journal events as they happen). */
  onAppend(listener: (e: DrillEvent) => void): void {
    this.listeners.push(listener);
  }

  get location(): string {
    return this.file;
  }

  /** The claims of the state directory this journal lives in (<stateDir>/claims). */
  get claims(): FaultClaims {
    return FaultClaims.besideJournal(this.file);
  }

  /** The journal as it is on disk now (other processes may have written to it). */
  readStored(): JournalRead {
    return parseJournal(readFileSync(this.file, 'utf8'), this.file);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Parses a journal's text. Bad lines are reported and skipped, never fatal.
 *
 * A line without its newline at the end of the file is read like any other when it is a whole
 * event (only the newline was lost); otherwise it is reported. A kill practically never tears one
 * write(2) to a regular file, so a torn line means the file was cut (power loss, a damaged disk, a
 * copy that stopped): lines after it may be lost, so it counts as possibly hiding a fault.
 */
export function parseJournal(text: string, file = '<journal>'): JournalRead {
  const events: DrillEvent[] = [];
  const problems: JournalProblem[] = [];
  const unreadableSeqs: number[] = [];
  const lines = text.split('\n');
  const lastIndex = lines.length - 1; // after the final \n comes an empty string
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const read = readLine(line);
    if (read.event) {
      events.push(read.event);
      eventLines.set(read.event, i + 1);
      return;
    }
    const torn = i === lastIndex || line.endsWith(TORN_MARK);
    // a torn last line means the file was cut: whatever followed it (an intent?) is gone too
    problems.push({ file, line: i + 1, message: `${torn ? (i === lastIndex ? 'torn last line (no newline), ' : 'torn line (the file was cut here), ') : ''}unreadable line skipped: ${read.error}`, mayHideFault: torn || mayHideFault(line, read.type) });
    unreadableSeqs.push(Number(/"seq":(\d{1,9})[,}]/.exec(line)?.[1] ?? NaN));
  });
  problems.push(...lostLines(events, unreadableSeqs, file));
  return { events, problems };
}

/**
 * Lines lost whole (a hand edit, a damaged disk block) leave a gap in the sequence numbers the
 * store assigns (1, 2, 3…): a gap not explained by an unreadable line is reported, as possibly a
 * fault's intent. (Lines lost at the very end leave no gap: that cannot be seen from the file.)
 */
const eventLines = new WeakMap<DrillEvent, number>();
const lineOfEvent = (events: DrillEvent[], index: number): number => (index >= 0 ? (eventLines.get(events[index]!) ?? 1) : 1);

function lostLines(events: DrillEvent[], unreadableSeqs: number[], file: string): JournalProblem[] {
  const seen = new Set(events.map((e) => e.seq));
  const explained = new Set(unreadableSeqs.filter((n) => Number.isInteger(n)));
  let unexplained = unreadableSeqs.filter((n) => !Number.isInteger(n)).length; // unreadable lines whose seq is unknown
  const out: JournalProblem[] = [];
  const max = events.reduce((m, e) => Math.max(m, e.seq), 0);
  let gapStart: number | undefined;
  for (let seq = 1; seq <= max + 1; seq++) {
    const missing = seq <= max && !seen.has(seq) && !explained.has(seq);
    if (missing && unexplained > 0) {
      unexplained -= 1;
      continue;
    }
    if (missing && gapStart === undefined) gapStart = seq;
    if (!missing && gapStart !== undefined) {
      const next = events.findIndex((e) => e.seq === seq);
      out.push({ file, line: lineOfEvent(events, next), message: `event${seq - gapStart > 1 ? `s ${gapStart}–${seq - 1} are` : ` ${gapStart} is`} missing before this line (lost from the journal)`, mayHideFault: true });
      gapStart = undefined;
    }
  }
  return out;
}


/**
 * One line: an event that passed its schema, or why not (with the field) and its type if known.
 * Exported for readers that follow a journal as it grows (journal-follow.ts).
 */
export function readLine(line: string): { event?: DrillEvent; error: string; type?: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { error: 'not JSON' };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { error: 'not an event (not a JSON object)' };
  const type = (json as { type?: unknown }).type;
  const damaged = checksumProblem(line, json as Record<string, unknown>);
  if (damaged) return { error: damaged, type };
  if (!isEventType(type)) return { error: type === undefined ? 'no event type' : `unknown event type ${clip(JSON.stringify(type), 40)}`, type };
  const parsed = drillEventSchema.safeParse(json);
  if (parsed.success) return { event: parsed.data as unknown as DrillEvent, error: '', type };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(event)';
  return { error: `${type} event: ${field}: ${clip(issue.message.replace(/^Invalid input: /, ''), 80)}`, type };
}

/**
 * Could this unreadable line have been a fault's intent? Only a line that is clearly some other
 * kind of event is harmless; anything that mentions an intent or a record, or whose kind cannot be
 * told, is counted as a possible active fault (one damaged byte must never turn an intent into
 * "nothing to revert").
 */
function mayHideFault(line: string, parsedType: unknown): boolean {
  const type = parsedType ?? /"type"\s*:\s*"([^"]{1,40})"/.exec(line)?.[1];
  if (!isEventType(type) || type === 'fault-intent') return true;
  return line.includes('fault-intent') || line.includes('"record"') || line.includes('"undo"');
}

/** One event as a journal line (checksummed, newline-terminated): the same bytes in every store. */
export function journalLine(drillId: string, seq: number, at: Date, body: DrillEventBody): { event: DrillEvent; line: string } {
  const event = { v: JOURNAL_LINE_VERSION, drillId, at: at.toISOString(), seq, ...body } as DrillEvent;
  return { event, line: `${withChecksum(JSON.stringify(event))}\n` };
}

/**
 * Every line written now ends with `"sum":"<crc32 of the line without it>"`, so one changed,
 * lost or added byte anywhere in a line is noticed (a damaged byte inside a fault's undo data
 * would otherwise parse as a valid, different fault, and halt would "revert" the wrong thing).
 */
function withChecksum(json: string): string {
  return `${json.slice(0, -1)},"sum":"${sumOf(json)}"}`;
}

const sumOf = (text: string): string => crc32(text).toString(16).padStart(8, '0');

/**
 * Why a line's checksum does not hold, or undefined when it holds. A version 2 line must carry its
 * sum last; a version 1 line (written before sums existed) must carry none — so one damaged byte
 * in `"v":2` or in the word `sum` cannot turn a checked line into an unchecked one.
 */
function checksumProblem(line: string, json: Record<string, unknown>): string | undefined {
  const hasSum = Object.prototype.hasOwnProperty.call(json, 'sum');
  if (json.v === 1) return hasSum ? 'a version 1 line with a checksum (the version was damaged)' : undefined;
  if (json.v !== JOURNAL_LINE_VERSION) return undefined; // the schema names the unknown version
  if (!hasSum || typeof json.sum !== 'string' || !/^[0-9a-f]{8}$/.test(json.sum)) return 'checksum missing or damaged';
  const tail = `,"sum":"${json.sum}"}`;
  const body = line.trimEnd();
  if (!body.endsWith(tail)) return 'checksum not at the end of the line';
  // the sum of the line without its sum: the text up to the tail, then the closing brace
  // (incrementally: no copy of a line that may be hundreds of kilobytes)
  const sum = crc32('}', crc32(body.slice(0, -tail.length))).toString(16).padStart(8, '0');
  if (sum !== json.sum) return 'checksum mismatch: the line was changed after it was written';
  delete json.sum;
  return undefined;
}

/** Written after a torn fragment by the next writer (a tab cannot end a JSON line). */
const TORN_MARK = '\t#torn';

/** How a line left without its newline (a writer died mid-line) is ended before the next append. */
export function endTornFragment(fragment: string): string {
  return readLine(fragment).event !== undefined ? '\n' : `${TORN_MARK}\n`;
}

function terminateTornLine(file: string, ending: string): void {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, ending);
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
