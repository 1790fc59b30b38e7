/**
 * One drill's lifecycle, owned by one object: the environment's refusal checks (critical, halted),
 * the environment lock and the cluster lease, the halt watch, the journal writer and the state it
 * folds, keep-alives and observers of injected faults, the deadline timer, reverts that never
 * overlap, and exactly one end. `gameday run` (facilitated or unattended) and `gameday inject`
 * (attached or detached) both drive a DrillSession; so will the screen and the in-cluster runner.
 *
 * Everything outside comes in through DrillSessionDeps (clock, journal store, halt flag, lock), so
 * tests run it on a fake clock against a journal in a temporary directory.
 */
import type { JournalAppender, JournalPort } from '../ports/journal.js';
import { applyEvent, emptyDrillState, revertableFaults, type DrillState } from '../core/drill-state.js';
import type { Clock } from '../core/clock.js';
import type { Environment } from '../core/environment.js';
import { checkGuards } from '../core/guards.js';
import type { DrillEvent, DrillEventBody, EndReason, RevertReason } from '../core/events.js';
import type { Host } from '../core/host.js';
import type { HaltState } from '../core/halt-flags.js';
import type { PortSet } from '../ports/index.js';
import type { ClusterLock, HeldLease } from '../ports/cluster-lock.js';
import { injectFault, injectPlan, keepAlive, observeAll, type InjectedFault, type RunnerDeps } from '../runner/inject.js';
import { assertPlanAllowed, type Plan, type PlannedFault } from '../runner/plan.js';
import { revertAll, type RevertResult } from '../runner/revert.js';

export interface HaltFlagPort {
  state(env: string): HaltState;
  watch(env: string, onHalt: (reason: string | undefined) => void): () => void;
}
export interface EnvLockPort {
  /** takes the environment for this drill or throws LOCKED; returns the release */
  acquire(env: string, drillId: string): () => void;
}

export interface DrillSessionDeps {
  clock: Clock;
  journals: Pick<JournalPort, 'open' | 'read'>;
  halt: HaltFlagPort;
  /** omitted: the drill does not hold the environment (ad-hoc faults stack, as `inject` always has) */
  lock?: EnvLockPort;
  clusterLock?: ClusterLock;
  host: Host;
  /** Ctrl-C / SIGTERM of the process */
  signal: AbortSignal;
}

/** The abort reason when `gameday halt` (any process) set the halt flag during the drill. */
export class HaltedByFlag extends Error {
  constructor(readonly haltReason: string | undefined) {
    super(`the halt flag was set${haltReason ? ` (${haltReason})` : ''}`);
  }
}

/**
 * The one place that refuses a critical or halted environment, before any client is built, in the
 * guards' own words (`plan` shows the same verdicts). Run windows are checked on the plan, where the
 * faults' start time is known.
 */
export function assertMayStart(env: Environment, halt: HaltFlagPort, now: number): HaltState {
  const state = halt.state(env.name);
  const verdicts = checkGuards({ env, halt: state, faults: [], now, tabletop: true });
  assertPlanAllowed({ env, seed: 0, faults: [], verdicts, ok: false });
  return state;
}

export class DrillSession {
  readonly events: DrillEvent[] = [];
  readonly state: DrillState;
  /** aborted by Ctrl-C, the halt flag, a crashed probe or a failed scheduled fault */
  readonly signal: AbortSignal;
  ports: Partial<PortSet> = {};
  lease: HeldLease | undefined;
  private readonly abortCtl = new AbortController();
  private readonly observeCtl = new AbortController();
  private journalWriter: JournalAppender | undefined;
  private reverting: Promise<unknown> = Promise.resolve();
  private readonly stops: (() => void | Promise<void>)[] = [];
  private readonly keepAlives: (() => void)[] = [];
  private readonly observers: Promise<void>[] = [];
  private closed = false;
  private watchingHalt = false;

  private constructor(
    readonly drillId: string,
    readonly env: Environment,
    private readonly deps: DrillSessionDeps,
  ) {
    this.state = emptyDrillState(drillId);
    this.signal = this.abortCtl.signal;
    const onOuterAbort = () => this.abort(deps.signal.reason ?? new Error('interrupted'));
    if (deps.signal.aborted) onOuterAbort();
    deps.signal.addEventListener('abort', onOuterAbort, { once: true });
    this.stops.push(() => deps.signal.removeEventListener('abort', onOuterAbort));
  }

  /**
   * Refuses a critical or halted environment, takes the lock (LOCKED when held), then watches the
   * halt flag: from here on `gameday halt` anywhere on this state directory stops the drill.
   */
  static open(drillId: string, env: Environment, deps: DrillSessionDeps, opts: { watchHalt: boolean } = { watchHalt: true }): DrillSession {
    assertMayStart(env, deps.halt, deps.clock.now());
    const release = deps.lock?.acquire(env.name, drillId);
    const session = new DrillSession(drillId, env, deps);
    if (release) session.stops.push(release);
    if (opts.watchHalt) session.watchHalt();
    return session;
  }

  /**
   * From now on `gameday halt` stops this drill (its signal aborts with HaltedByFlag). A detached
   * inject does not watch while it injects: halt waits for the injection's outcome (the fault claim)
   * and reverts it from the journal, so the fault is never left half-made.
   */
  watchHalt(): void {
    if (this.watchingHalt) return;
    this.watchingHalt = true;
    this.stops.push(this.deps.halt.watch(this.env.name, (reason) => this.abort(new HaltedByFlag(reason))));
  }

  get clock(): Clock {
    return this.deps.clock;
  }
  get host(): Host {
    return this.deps.host;
  }
  get journal(): JournalAppender | undefined {
    return this.journalWriter;
  }
  /** the halt that stopped this drill, if one did */
  get haltedBy(): HaltedByFlag | undefined {
    return this.signal.reason instanceof HaltedByFlag ? this.signal.reason : undefined;
  }

  abort(reason: unknown): void {
    if (!this.signal.aborted) this.abortCtl.abort(reason);
  }

  /** Takes the cluster side of the environment lock, where the environment has one. */
  async takeClusterLease(): Promise<void> {
    this.lease = await this.deps.clusterLock?.(this.env, this.drillId, (message) => this.host.emit({ type: 'warning', message }));
    if (this.lease) {
      const lease = this.lease;
      this.stops.push(() => lease.release().catch(() => undefined));
    }
  }

  /** Opens the journal: from now on every event is folded into `state` and shown to the host. */
  openJournal(): JournalAppender {
    const journal = this.deps.journals.open(this.drillId);
    journal.now = () => this.clock.now();
    journal.onAppend((e) => {
      this.events.push(e);
      applyEvent(this.state, e);
      this.host.emit(e);
    });
    this.journalWriter = journal;
    return journal;
  }

  append(body: DrillEventBody): DrillEvent {
    if (!this.journalWriter) throw new Error(`drill ${this.drillId}: append before the journal was opened`);
    return this.journalWriter.append(body);
  }

  runnerDeps(attached: boolean): RunnerDeps {
    return { journal: this.journalWriter!, ports: this.ports, env: this.env, host: this.host, signal: this.signal, attached, now: () => this.clock.now() };
  }

  /** Injects the plan's faults now (rolls back on failure) and follows them. */
  async inject(plan: Plan, attached: boolean): Promise<InjectedFault[]> {
    const injected = await injectPlan(plan, this.runnerDeps(attached));
    if (attached) this.follow(injected);
    return injected;
  }

  /** Injects one scheduled fault, taking its turn with the reverts. */
  injectScheduled(planned: PlannedFault): Promise<InjectedFault[]> {
    return this.serially(async () => {
      if (this.signal.aborted) throw this.signal.reason;
      const injected = await injectFault(planned, this.runnerDeps(true));
      this.follow(injected);
      return injected;
    });
  }

  /** Keeps the faults' leases alive while this process runs, and journals their recovery evidence. */
  follow(faults: InjectedFault[], observeFor?: AbortSignal): void {
    this.keepAlives.push(keepAlive(faults, this.runnerDeps(true)));
    this.observers.push(observeAll(faults, { ...this.runnerDeps(true), signal: AbortSignal.any([this.signal, this.observeCtl.signal, ...(observeFor ? [observeFor] : [])]) }));
  }

  /** Journals recovery evidence only (a detached inject, for a bounded time). */
  observe(faults: InjectedFault[], signal: AbortSignal): Promise<void> {
    return observeAll(faults, { ...this.runnerDeps(false), signal });
  }

  /** Reverts every active fault of this drill; reverts never overlap. */
  revertActive(reason: RevertReason): Promise<RevertResult[]> {
    return this.serially(async () => {
      const records = revertableFaults(this.state).map((f) => f.record);
      if (!records.length || !this.journalWriter) return [];
      this.host.emit({ type: 'progress', message: `reverting ${records.length} fault(s)…` });
      const results = await revertAll(records, reason, { journal: this.journalWriter, ports: this.ports, env: this.env, host: this.host });
      const failed = results.filter((r) => r.outcome === 'failed');
      if (failed.length) this.host.emit({ type: 'warning', message: `revert failed for ${failed.map((f) => `${f.target} (${f.error})`).join(', ')}: run \`gameday recover ${this.drillId}\`` });
      else this.host.emit({ type: 'success', message: `reverted ${records.length} fault(s)` });
      return results;
    });
  }

  /** Reverts the faults whose deadline has passed. */
  revertExpired(): Promise<RevertResult[]> {
    return this.serially(async () => {
      const now = this.clock.now();
      const expired = revertableFaults(this.state).filter((f) => f.record.deadline !== undefined && f.record.deadline <= now && f.status !== 'revert-failed');
      if (!expired.length || !this.journalWriter) return [];
      this.host.emit({ type: 'info', message: `deadline reached: reverting ${expired.length} fault(s)` });
      return revertAll(expired.map((f) => f.record), 'deadline', { journal: this.journalWriter, ports: this.ports, env: this.env, host: this.host });
    });
  }

  /** Checks deadlines every second on a timer of its own, so an open prompt cannot delay a revert. */
  startDeadlineTimer(): () => void {
    const stop = this.clock.every(1000, () => void this.revertExpired().catch((e) => this.host.emit({ type: 'warning', message: `deadline revert failed: ${(e as Error).message}` })));
    this.stops.push(stop);
    return stop;
  }

  /** The earliest deadline of the active reversible faults (epoch ms), if any. */
  nextDeadline(): number | undefined {
    const deadlines = revertableFaults(this.state).map((f) => f.record.deadline).filter((d): d is number => d !== undefined);
    return deadlines.length ? Math.min(...deadlines) : undefined;
  }

  /**
   * Journals the drill's end once. A drill that `gameday halt` stopped may have been closed by halt
   * itself (it closes the journals of the drills it reverts), even at this very moment: the store
   * decides under its lock, and then nothing is appended.
   */
  end(reason: EndReason, detail?: string): void {
    if (!this.journalWriter || this.state.endedAt !== undefined) return;
    if (this.journalWriter.appendEnd({ type: 'drill-ended', reason, ...(detail !== undefined ? { detail } : {}) })) return;
    // ended by another process first: that end is the drill's (its summary and report read it)
    const theirs = this.journalWriter.readStored().events.find((e) => e.type === 'drill-ended');
    if (theirs) {
      this.events.push(theirs);
      applyEvent(this.state, theirs);
    }
  }

  /** Stops renewing the faults' leases (after the end revert: nothing is left to keep alive). */
  stopKeepAlives(): void {
    for (const stop of this.keepAlives.splice(0)) stop();
  }

  /** Stops the observers of recovery evidence (the faults stay as they are). */
  async stopFollowing(): Promise<void> {
    this.observeCtl.abort();
    await Promise.allSettled(this.observers);
  }

  /** Releases everything the session holds: timers, watches, lease, lock, journal. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopKeepAlives();
    await this.stopFollowing();
    for (const stop of this.stops.reverse()) await stop();
    this.journalWriter?.close();
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.reverting.then(fn, fn);
    this.reverting = next.catch(() => undefined);
    return next;
  }
}
