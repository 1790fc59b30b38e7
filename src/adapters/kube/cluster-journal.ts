/**
 * Drill journals in the cluster, shared by every machine that talks to it: one append-only record
 * set per drill in the toolkit namespace, ConfigMaps `gd-journal-<drillId>-<nnnn>` (chunks 0000,
 * 0001…), each holding whole journal lines in `data.events` — the same checksummed JSON lines as
 * the file store, so one reader (parseJournal) checks both.
 *
 * Appending is optimistic concurrency on the last chunk: read it, add one line with the next seq,
 * replace it at the resourceVersion read; a 409 Conflict (another process appended first) means
 * read again and renumber. `append` returns once the API server accepted the write (etcd has it):
 * as durable as the file store's fsync. A write whose answer was lost (timeout, reset) is looked
 * for on the next read and counted as done when its exact line is there, so it is never
 * written twice.
 *
 * Objects are capped at 1 MiB: a chunk that would grow past `chunkBytes` is sealed (annotation
 * gameday.dev/sealed, under the same resourceVersion check) and the line starts the next chunk,
 * created with it (409 AlreadyExists: another process was first; read again). A process killed
 * between seal and create leaves a sealed chunk and no next one: the next writer creates it.
 */
import { GamedayError } from '../../core/errors.js';
import { foldDrill, type DrillState } from '../../core/drill-state.js';
import { DRILL_LABEL, TOOLKIT_NAMESPACE } from '../../core/environment.js';
import type { DrillEvent, DrillEventBody, EventBodyOf } from '../../core/events.js';
import type { JournalAppender, JournalPort, JournalProblem, JournalRead } from '../../ports/journal.js';
import { hasEndIn, maxSeqIn } from '../journal-append.js';
import { DRILL_ID, endTornFragment, journalLine, parseJournal } from '../journal-store.js';
import { duplicateSeqProblems } from '../journal-seq.js';
import { ClusterClaims } from './cluster-claims.js';
import { MANAGED, RECORD_LABEL, type ConfigMap, type ConfigMaps } from './config-maps.js';

/** Room under the API server's 1 MiB object limit for metadata and JSON escaping. */
export const DEFAULT_CHUNK_BYTES = 512 * 1024;
export const CHUNK_LABEL = 'gameday.dev/chunk';
export const SEALED_ANNOTATION = 'gameday.dev/sealed';
/** An append that keeps losing the race this long is stuck (hundreds of writers?): give up loudly. */
const APPEND_GIVE_UP_MS = 30_000;

/** Kubernetes names allow no `_`: such ids (never made by newDrillId) cannot live in the cluster. */
const CLUSTER_DRILL_ID = /^[a-z0-9][a-z0-9.-]{0,62}$/;
export const chunkName = (drillId: string, chunk: number): string => `gd-journal-${drillId}-${String(chunk).padStart(4, '0')}`;
const journalSelector = `${RECORD_LABEL}=journal`;

export class ClusterJournalStore implements JournalPort {
  readonly claims: ClusterClaims;
  constructor(
    readonly maps: ConfigMaps,
    /** for messages: "environment shared (cluster journal)" */
    readonly label: string,
    readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    this.claims = new ClusterClaims(maps);
  }

  checkId(drillId: string): void {
    if (!DRILL_ID.test(drillId)) throw new GamedayError('INVALID_INPUT', `not a drill id: "${drillId}"`, { hint: 'see `gameday status` for the drill ids' });
    if (!CLUSTER_DRILL_ID.test(drillId)) throw new GamedayError('INVALID_INPUT', `drill id "${drillId}" cannot name a Kubernetes object (no "_" allowed)`, { hint: 'the cluster journal keeps drills whose ids newDrillId made' });
  }

  /** This drill's chunks, in order. */
  chunks(drillId: string): ConfigMap[] {
    this.checkId(drillId);
    const items = this.maps.list(`${journalSelector},${DRILL_LABEL}=${drillId}`);
    return items.sort((a, b) => chunkOf(a) - chunkOf(b));
  }

  exists(drillId: string): boolean {
    return this.chunks(drillId).length > 0;
  }

  list(): string[] {
    return this.scan().ids;
  }

  scan(): { ids: string[]; problems: JournalProblem[] } {
    let items: ConfigMap[];
    try {
      items = this.maps.list(`${MANAGED_SELECTOR},${journalSelector}`);
    } catch (e) {
      return { ids: [], problems: [{ file: `${this.label}: configmaps in ${TOOLKIT_NAMESPACE}`, line: 0, message: `cannot list the journals: ${(e as Error).message.split('\n')[0]}`, mayHideFault: true }] };
    }
    const ids = new Set<string>();
    const problems: JournalProblem[] = [];
    for (const cm of items) {
      const id = cm.metadata.labels?.[DRILL_LABEL];
      if (id && CLUSTER_DRILL_ID.test(id)) ids.add(id);
      else problems.push({ file: this.maps.describe(cm.metadata.name), line: 0, message: `a journal chunk without a valid ${DRILL_LABEL} label; not read`, mayHideFault: true });
    }
    return { ids: [...ids].sort(), problems };
  }

  read(drillId: string): JournalRead {
    const chunks = this.chunks(drillId);
    if (!chunks.length) throw new GamedayError('NOT_FOUND', `no journal for drill ${drillId} in the cluster (${this.label})`, { hint: 'see `gameday status` for the drill ids' });
    return readChunks(chunks, this.maps);
  }

  readSafely(drillId: string): JournalRead {
    try {
      return this.read(drillId);
    } catch (e) {
      return { events: [], problems: [{ file: this.maps.describe(chunkName(drillId, 0)), line: 0, message: `cannot read the journal: ${(e as Error).message.split('\n')[0]}`, mayHideFault: true }] };
    }
  }

  fold(drillId: string): { state: DrillState; problems: JournalProblem[] } {
    const { events, problems } = this.readSafely(drillId);
    return { state: foldDrill(drillId, events), problems };
  }

  open(drillId: string): ClusterJournalWriter {
    this.checkId(drillId);
    return new ClusterJournalWriter(this, drillId);
  }
}

const MANAGED_SELECTOR = Object.entries(MANAGED).map(([k, v]) => `${k}=${v}`).join(',');

function chunkOf(cm: ConfigMap): number {
  const n = Number(cm.metadata.labels?.[CHUNK_LABEL]);
  return Number.isInteger(n) && n >= 0 ? n : Number.MAX_SAFE_INTEGER;
}

/**
 * The chunks' lines read as one journal (sequence gaps across chunks are seen), each problem
 * named by the object and the line within it. A chunk missing in the numbering, or one without
 * its lines, may have held an intent.
 */
export function readChunks(chunks: ConfigMap[], maps: Pick<ConfigMaps, 'describe'>): JournalRead {
  const problems: JournalProblem[] = [];
  const spans: { name: string; from: number; lines: number }[] = [];
  let text = '';
  let line = 0;
  let expected = 0;
  chunks.forEach((cm) => {
    const name = maps.describe(cm.metadata.name);
    const n = chunkOf(cm);
    if (n === Number.MAX_SAFE_INTEGER) problems.push({ file: name, line: 0, message: `no valid ${CHUNK_LABEL} label; its place in the journal is unknown`, mayHideFault: true });
    else if (n !== expected) problems.push({ file: name, line: 0, message: `chunk${n - expected > 1 ? `s ${expected}–${n - 1} are` : ` ${expected} is`} missing before this one (lost from the journal)`, mayHideFault: true });
    if (n !== Number.MAX_SAFE_INTEGER) expected = n + 1;
    const body = cm.data?.events;
    if (typeof body !== 'string') {
      problems.push({ file: name, line: 0, message: 'data.events is missing or not text: the chunk cannot be read', mayHideFault: true });
      return;
    }
    const own = body.endsWith('\n') || body === '' ? body : `${body}\n`;
    const count = own.split('\n').length - 1;
    spans.push({ name, from: line, lines: count });
    text += own;
    line += count;
  });
  const parsed = parseJournal(text, '<cluster journal>');
  const where = (l: number) => spans.find((s) => l > s.from && l <= s.from + s.lines);
  for (const p of parsed.problems) {
    const s = where(p.line);
    problems.push({ ...p, file: s?.name ?? maps.describe(chunks[0]!.metadata.name), line: s ? p.line - s.from : p.line });
  }
  problems.push(...duplicateSeqProblems(parsed.events, maps.describe(chunks[0]!.metadata.name)));
  return { events: parsed.events, problems };
}

export class ClusterJournalWriter implements JournalAppender {
  private readonly listeners: ((e: DrillEvent) => void)[] = [];
  /** the chunk appends go to (the last one seen) and the highest seq before it */
  private chunk = 0;
  private seqBefore = 0;
  private closed = false;
  now: () => number = Date.now;

  constructor(
    private readonly store: ClusterJournalStore,
    readonly drillId: string,
  ) {
    const chunks = store.chunks(drillId);
    if (chunks.length) this.chunk = chunkOf(chunks.at(-1)!) === Number.MAX_SAFE_INTEGER ? chunks.length - 1 : chunkOf(chunks.at(-1)!);
  }

  get location(): string {
    return this.store.maps.describe(chunkName(this.drillId, this.chunk));
  }

  get claims(): ClusterClaims {
    return this.store.claims;
  }

  onAppend(listener: (e: DrillEvent) => void): void {
    this.listeners.push(listener);
  }

  readStored(): JournalRead {
    return this.store.read(this.drillId);
  }

  close(): void {
    this.closed = true;
  }

  append(body: DrillEventBody, at: Date = new Date(this.now())): DrillEvent {
    if (this.closed) throw new GamedayError('INTERNAL', `journal ${this.location} is closed`);
    const event = this.appendLine((seq) => journalLine(this.drillId, seq, at, body))!;
    for (const l of this.listeners) l(event);
    return event;
  }

  /** One append per event: each is its own compare-and-swap (a batch could outgrow a chunk). */
  appendAll(bodies: readonly DrillEventBody[], at: Date = new Date(this.now())): DrillEvent[] {
    return bodies.map((body) => this.append(body, at));
  }

  appendEnd(body: EventBodyOf<'drill-ended'>, at: Date = new Date(this.now())): DrillEvent | undefined {
    if (this.closed) throw new GamedayError('INTERNAL', `journal ${this.location} is closed`);
    // an end in an earlier chunk is in the fold; one written meanwhile is in the chunk being appended to
    if (this.store.read(this.drillId).events.some((e) => e.type === 'drill-ended')) return undefined;
    const event = this.appendLine((seq) => journalLine(this.drillId, seq, at, body), hasEndIn);
    if (event) for (const l of this.listeners) l(event);
    return event;
  }

  /**
   * The optimistic-concurrency loop (see the header): returns once the API server has the line, or
   * undefined when `unless(the chunk's text)` says it is not wanted any more (checked on each try).
   */
  private appendLine(build: (seq: number) => { event: DrillEvent; line: string }, unless?: (text: string) => boolean): DrillEvent | undefined {
    const maps = this.store.maps;
    const giveUp = Date.now() + APPEND_GIVE_UP_MS;
    let sent: { event: DrillEvent; line: string } | undefined; // a write whose answer was lost
    while (Date.now() < giveUp) {
      const name = chunkName(this.drillId, this.chunk);
      const cm = maps.get(name);
      const text = typeof cm?.data?.events === 'string' ? cm.data.events : '';
      if (sent && text.includes(sent.line)) return sent.event; // it did arrive
      if (unless?.(text)) return undefined;
      if (cm && typeof cm.data?.events !== 'string') throw new GamedayError('INVALID_INPUT', `cannot append to ${maps.describe(name)}: its data.events is missing or not text (damaged)`, { hint: 'repair or move the object aside by hand; nothing was changed' });
      if (cm?.metadata.annotations?.[SEALED_ANNOTATION] === 'true') {
        this.seqBefore = Math.max(this.seqBefore, maxSeqIn(text));
        this.chunk += 1;
        continue;
      }
      const built = build(Math.max(this.seqBefore, maxSeqIn(text)) + 1);
      if (Buffer.byteLength(built.line) > this.store.chunkBytes) throw new GamedayError('INVALID_INPUT', `a journal event of ${Buffer.byteLength(built.line)} bytes does not fit in one journal chunk (${this.store.chunkBytes} bytes) of ${maps.describe(name)}`, { hint: 'nothing was changed; the event is too large for the cluster journal' });
      try {
        const done = cm ? this.extend(cm, text, built.line) : this.start(name, built.line);
        if (done) return built.event;
      } catch (e) {
        if ((e as GamedayError).code !== 'UNREACHABLE') throw e;
        sent = built; // unknown fate: the next read tells (and a failing read throws)
      }
    }
    throw new GamedayError('UNREACHABLE', `cannot append to the journal of drill ${this.drillId} in the cluster: other writers won every attempt for ${APPEND_GIVE_UP_MS / 1000} s`, { hint: 'nothing was changed by this step; check the cluster and retry' });
  }

  /** Adds the line to chunk `cm` (or seals it when full). true when the line is stored. */
  private extend(cm: ConfigMap, text: string, line: string): boolean {
    const maps = this.store.maps;
    const prefix = text.length > 0 && !text.endsWith('\n') ? endTornFragment(text.slice(text.lastIndexOf('\n') + 1)) : '';
    if (Buffer.byteLength(text) + Buffer.byteLength(line) + prefix.length > this.store.chunkBytes && text.length > 0) {
      const sealed = { ...cm, metadata: { ...cm.metadata, annotations: { ...cm.metadata.annotations, [SEALED_ANNOTATION]: 'true' } } };
      maps.replace(sealed); // a conflict: someone appended or sealed meanwhile; the next read tells
      return false;
    }
    return maps.replace({ ...cm, data: { ...cm.data, events: text + prefix + line } }) === 'replaced';
  }

  /** Creates the chunk with its first line. true when the line is stored. */
  private start(name: string, line: string): boolean {
    const labels = { ...MANAGED, [RECORD_LABEL]: 'journal', [DRILL_LABEL]: this.drillId, [CHUNK_LABEL]: String(this.chunk) };
    return this.store.maps.create({ metadata: { name, labels }, data: { events: line } }) === 'created';
  }
}
