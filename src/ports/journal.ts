/**
 * The drill journal, as the runner, the drill and the commands use it: an append-only record of
 * one drill's events, read back and folded by anyone. Two stores implement it: the file store
 * (src/adapters/journal-store.ts, one JSON-lines file per drill in the state directory, the
 * default) and the cluster store (src/adapters/kube/cluster-journal.ts, ConfigMaps in the toolkit
 * namespace, shared by every machine that talks to the cluster).
 *
 * The contract both keep (the safety model's "write before you break"):
 * - `append` returns only once the event is durable (fsynced / accepted by the API server), and
 *   it is synchronous, so a fault's intent is stored before the call that makes the fault starts;
 * - sequence numbers are unique and increasing across every process appending to one drill;
 * - reading never throws on a damaged record: each problem names where it is and whether it may
 *   hide an active fault, so `halt` never calls a drill clean that may not be.
 */
import type { DrillState } from '../core/drill-state.js';
import type { DrillEvent, DrillEventBody, EventBodyOf } from '../core/events.js';
import type { HaltFlagRow, HaltState } from '../core/halt-flags.js';

export interface JournalProblem {
  /** where: a file path, or the cluster object (`configmap gameday-system/gd-journal-…`) */
  file: string;
  line: number;
  message: string;
  /**
   * true when the unreadable line (or file) may have held a fault's intent: whoever reverts must
   * treat it as a possible active fault, never as nothing (absent: a harmless problem)
   */
  mayHideFault?: boolean;
}

export interface JournalRead {
  events: DrillEvent[];
  problems: JournalProblem[];
}

/** Who holds a fault's revert claim (one reverter per fault, across processes and machines). */
export interface ClaimHolder {
  pid: number;
  host: string;
  /** why it reverts: halt, recover, deadline, drill-end… */
  reason: string;
  at: string;
}

export interface HeldClaim {
  release(): void;
}

export type ClaimAttempt = { ok: true; claim: HeldClaim } | { ok: false; holder: ClaimHolder };

/** The claims beside a journal: the same place the journal lives (state directory or cluster). */
export interface FaultClaimPort {
  /** The live holder of a fault's claim, if any (stale claims are not holders). */
  holder(drillId: string, faultId: string): ClaimHolder | undefined;
  /** Takes the claim now, or says who holds it. Never waits. */
  tryClaim(drillId: string, faultId: string, reason: string): ClaimAttempt;
  /** tryClaim for each fault of one drill, in order (an inject's targets): cheaper than one by one where the store allows. */
  tryClaimAll(drillId: string, faultIds: readonly string[], reason: string): ClaimAttempt[];
  /** Takes the claim, waiting while another live process holds it, until `signal` aborts. */
  claim(drillId: string, faultId: string, reason: string, opts: { signal: AbortSignal; onWait?: (holder: ClaimHolder) => void; pollMs?: number }): Promise<{ claim?: HeldClaim; waitedFor?: ClaimHolder }>;
}

/** One drill's journal, open for appending. */
export interface JournalAppender {
  readonly drillId: string;
  /** where it lives, for messages: a file path or `configmap gameday-system/gd-journal-<id>-…` */
  readonly location: string;
  /** the clock events are stamped with: the drill's own (a test's fake clock), else the system's */
  now: () => number;
  /** Appends one event; returns once it is durable, with its seq. */
  append(body: DrillEventBody, at?: Date): DrillEvent;
  /**
   * Appends several events, in order, consecutive seqs; returns once all are durable. A file
   * journal writes them under one lock with one fsync: an inject's intents, one per target, are all
   * on disk before its first call without a disk flush per target (at 100 targets those flushes
   * held the first delete back ≈ 0.15 s, issue 15).
   */
  appendAll(bodies: readonly DrillEventBody[], at?: Date): DrillEvent[];
  /**
   * Appends the drill's end unless the stored journal has one already, decided under the same
   * lock (or compare-and-swap) as the append: a drill ending itself and `gameday halt` closing it
   * at the same moment leave one drill-ended, not two. undefined when it was ended already.
   */
  appendEnd(body: EventBodyOf<'drill-ended'>, at?: Date): DrillEvent | undefined;
  /** Called after each durable append (hosts render journal events as they happen). */
  onAppend(listener: (e: DrillEvent) => void): void;
  /** The journal as stored now, other processes' appends included. */
  readStored(): JournalRead;
  /** The fault claims that go with this journal. */
  readonly claims: FaultClaimPort;
  close(): void;
}

/** Every drill's journal in one place (a state directory, or a cluster). */
export interface JournalPort {
  exists(drillId: string): boolean;
  /** Drill ids, oldest first (ids start with a timestamp). */
  list(): string[];
  /** The drill ids, and a problem for everything that looks like a journal but cannot be read. */
  scan(): { ids: string[]; problems: JournalProblem[] };
  /** Throws NOT_FOUND when there is no such journal. */
  read(drillId: string): JournalRead;
  /** Like `read`, but a journal that cannot be read at all comes back as one problem. */
  readSafely(drillId: string): JournalRead;
  fold(drillId: string): { state: DrillState; problems: JournalProblem[] };
  /** Opens a journal for appending: creates it for a new drill, continues an existing one. */
  open(drillId: string): JournalAppender;
  /** The fault claims of the drills in this store. */
  readonly claims: FaultClaimPort;
}

/**
 * The stop-everything lever (`gameday halt`), globally or per environment. The file flag lives in
 * the state directory; an environment whose journal is in the cluster also has one there, so a
 * drill running on another machine sees it.
 */
export interface HaltFlagPort {
  state(env?: string): HaltState;
  set(env: string | undefined, reason: string | undefined): void;
  clear(env: string | undefined): void;
  /** Calls `onHalt` once, soon after the flag is set for `env` (or globally) by any process. */
  watch(env: string, onHalt: (reason: string | undefined) => void, everyMs?: number): () => void;
  list(): HaltFlagRow[];
}
