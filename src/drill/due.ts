/**
 * The live loop's decisions, as a pure function of the drill's state and the time: which timed
 * hints and scheduled faults are due, whether the drill is over, and when to look again. The loop
 * (drill/live.ts) only carries them out, so every decision is tested without a clock.
 */

export interface LiveSnapshot {
  mode: 'facilitated' | 'unattended';
  /** ms since the failure began (the clock's t0) */
  elapsedMs: number;
  timeLimitMs: number;
  /** hints not yet revealed, with their timing (`after`, ms from t0) when they have one */
  hintsLeft: readonly { index: number; afterMs?: number }[];
  /** faults with an `at:` delay not yet started */
  scheduled: readonly { index: number; atMs: number }[];
  /** every scheduled fault has been injected (none pending or in flight) */
  scheduledDone: boolean;
  /** ms until each active reversible fault's deadline (negative: overdue) */
  deadlinesInMs: readonly number[];
  /** active faults that still need a revert */
  activeFaults: number;
  /** every steady-state probe healthy */
  probesOk: boolean;
  /** ms since the last probe change (or since t0, when none changed since) */
  steadyForMs: number;
  /** unattended: end once steady state has held this long with nothing active */
  settleMs: number;
  /** how often the panel is redrawn */
  tickMs: number;
}

export interface Due {
  /** timed hints to reveal now, in order (facilitated drills only: nobody reads hints unattended) */
  hints: number[];
  /** scheduled faults to inject now */
  faults: number[];
  /** why the drill ends now, if it does */
  end?: string;
  /** how long the loop may wait for a key or a probe before it must look again */
  wakeInMs: number;
}

export function whatIsDue(s: LiveSnapshot, formatLimit: (ms: number) => string = (ms) => `${Math.round(ms / 1000)}s`): Due {
  const hints = s.mode === 'facilitated' ? s.hintsLeft.filter((h) => h.afterMs !== undefined && s.elapsedMs >= h.afterMs).map((h) => h.index) : [];
  const faults = s.scheduled.filter((f) => s.elapsedMs >= f.atMs).map((f) => f.index);
  let end: string | undefined;
  if (s.elapsedMs >= s.timeLimitMs) end = `time limit (${formatLimit(s.timeLimitMs)}) reached`;
  else if (s.mode === 'unattended' && s.scheduledDone && s.activeFaults === 0 && s.probesOk && s.steadyForMs >= s.settleMs) end = 'steady state held with nothing active';
  const revealed = new Set(hints);
  // an unattended drill reveals no hints, so it must not wake for them (an overdue one would spin the loop)
  const nextHint = s.mode === 'facilitated' ? s.hintsLeft.filter((h) => h.afterMs !== undefined && !revealed.has(h.index)).map((h) => h.afterMs! - s.elapsedMs) : [];
  const nextFault = s.scheduled.filter((f) => !faults.includes(f.index)).map((f) => f.atMs - s.elapsedMs);
  const wakeInMs = Math.max(0, Math.min(s.tickMs, ...nextHint, ...s.deadlinesInMs, ...nextFault, s.timeLimitMs - s.elapsedMs));
  return { hints, faults, end, wakeInMs };
}
