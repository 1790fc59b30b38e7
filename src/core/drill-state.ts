/**
 * The state of a drill as a pure fold over its journal. No I/O, no clock: `halt`, `recover`,
 * `status`, the live panel and the reports all read the same fold.
 */
import type { DrillEvent, DrillMode, EndReason, FaultRecord, MarkKind } from './events.js';

export type FaultStatus =
  /** intent journaled, outcome unknown (the process may have died mid-call): treat as possibly active */
  | 'intended'
  | 'active'
  /** one-shot fault done (pod killed, failover forced): nothing to revert */
  | 'done'
  | 'failed'
  | 'reverting'
  | 'reverted'
  | 'revert-failed';

export interface FaultState {
  record: FaultRecord;
  status: FaultStatus;
  intendedAt: string;
  injectedAt?: string;
  revertedAt?: string;
  lastError?: string;
  observations: Record<string, unknown>[];
  verified: { phase: 'injected' | 'reverted'; ok: boolean; detail?: string }[];
}

export interface ProbeState {
  name: string;
  ok: boolean;
  since: string;
  detail?: string;
  /** every change of ok, in order */
  changes: { at: string; ok: boolean; detail?: string }[];
}

export interface DrillState {
  drillId: string;
  mode?: DrillMode;
  env?: string;
  scenario?: string;
  title?: string;
  pid?: number;
  host?: string;
  startedAt?: string;
  endedAt?: string;
  endReason?: EndReason;
  timeLimitMs?: number;
  faults: Map<string, FaultState>;
  probes: Map<string, ProbeState>;
  marks: { mark: MarkKind; at: string; text?: string }[];
  hints: { index: number; text: string; at: string; trigger: 'timed' | 'manual' }[];
  /** checklist steps ticked off, in the order they were */
  steps: { index: number; step: string; at: string }[];
  preflightOk?: boolean;
  debrief?: Record<string, string | string[]>;
  reaper?: { pid: number; deadline: number };
  lastSeq: number;
  eventCount: number;
}

export const emptyDrillState = (drillId: string): DrillState => ({
  drillId,
  faults: new Map(),
  probes: new Map(),
  marks: [],
  hints: [],
  steps: [],
  lastSeq: 0,
  eventCount: 0,
});

function updateFault(state: DrillState, faultId: string, f: (s: FaultState) => void): void {
  const fault = state.faults.get(faultId);
  if (fault) f(fault); // events about unknown faults are ignored: the intent is the anchor
}

export function applyEvent(state: DrillState, e: DrillEvent): DrillState {
  state.lastSeq = Math.max(state.lastSeq, e.seq);
  state.eventCount += 1;
  switch (e.type) {
    case 'drill-started':
      Object.assign(state, { mode: e.mode, env: e.env, scenario: e.scenario, title: e.title, pid: e.pid, host: e.host, startedAt: e.at, timeLimitMs: e.timeLimitMs });
      break;
    case 'preflight':
      state.preflightOk = e.ok;
      break;
    case 'plan':
      break;
    case 'fault-intent':
      state.faults.set(e.record.faultId, { record: e.record, status: 'intended', intendedAt: e.at, observations: [], verified: [] });
      break;
    case 'fault-injected':
      updateFault(state, e.faultId, (f) => {
        f.injectedAt = e.at;
        if (f.status === 'intended') f.status = f.record.reversible ? 'active' : 'done';
      });
      break;
    case 'fault-inject-failed':
      updateFault(state, e.faultId, (f) => {
        f.lastError = e.error;
        // a call that may have half-applied stays revertable; a clean refusal does not
        if (f.status === 'intended') f.status = e.maybeApplied && f.record.reversible ? 'active' : 'failed';
      });
      break;
    case 'fault-verified':
      updateFault(state, e.faultId, (f) => f.verified.push({ phase: e.phase, ok: e.ok, detail: e.detail }));
      break;
    case 'fault-observed':
      updateFault(state, e.faultId, (f) => f.observations.push(e.detail));
      break;
    case 'fault-revert-started':
      updateFault(state, e.faultId, (f) => {
        if (f.status !== 'reverted') f.status = 'reverting';
      });
      break;
    case 'fault-reverted':
      updateFault(state, e.faultId, (f) => {
        f.status = 'reverted';
        f.revertedAt ??= e.at;
      });
      break;
    case 'fault-revert-failed':
      updateFault(state, e.faultId, (f) => {
        if (f.status !== 'reverted') f.status = 'revert-failed';
        f.lastError = e.error;
      });
      break;
    case 'probe-result': {
      const prev = state.probes.get(e.probe);
      if (!prev) {
        state.probes.set(e.probe, { name: e.probe, ok: e.ok, since: e.at, detail: e.detail, changes: [{ at: e.at, ok: e.ok, detail: e.detail }] });
      } else {
        if (prev.ok !== e.ok) {
          prev.since = e.at;
          prev.changes.push({ at: e.at, ok: e.ok, detail: e.detail });
        }
        prev.ok = e.ok;
        prev.detail = e.detail;
      }
      break;
    }
    case 'hint-revealed':
      if (!state.hints.some((h) => h.index === e.index)) state.hints.push({ index: e.index, text: e.text, at: e.at, trigger: e.trigger });
      break;
    case 'step-done':
      if (!state.steps.some((s) => s.index === e.index)) state.steps.push({ index: e.index, step: e.step, at: e.at });
      break;
    case 'mark':
      state.marks.push({ mark: e.mark, at: e.at, text: e.text });
      break;
    case 'reaper-started':
      state.reaper = { pid: e.pid, deadline: e.deadline };
      break;
    case 'debrief':
      state.debrief = e.answers;
      break;
    case 'drill-ended':
      state.endedAt = e.at;
      state.endReason = e.reason;
      break;
    default: {
      const never: never = e;
      void never;
    }
  }
  return state;
}

export function foldDrill(drillId: string, events: Iterable<DrillEvent>): DrillState {
  let s = emptyDrillState(drillId);
  for (const e of events) s = applyEvent(s, e);
  return s;
}

/** Faults that may be active and must be reverted by halt/recover: anything not known to be clean. */
export function revertableFaults(state: DrillState): FaultState[] {
  return [...state.faults.values()].filter(
    (f) => f.record.reversible && (f.status === 'intended' || f.status === 'active' || f.status === 'reverting' || f.status === 'revert-failed'),
  );
}

export const activeFaults = (state: DrillState): FaultState[] =>
  [...state.faults.values()].filter((f) => f.status === 'active' || f.status === 'intended' || f.status === 'reverting' || f.status === 'revert-failed');

export const isOpen = (state: DrillState): boolean => state.endedAt === undefined || revertableFaults(state).length > 0;

/** Time of the first mark of a kind, relative to the drill start. */
export function markOffsetMs(state: DrillState, mark: MarkKind): number | undefined {
  const m = state.marks.find((x) => x.mark === mark);
  if (!m || !state.startedAt) return undefined;
  return Date.parse(m.at) - Date.parse(state.startedAt);
}
