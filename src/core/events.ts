/**
 * The drill journal's events: one discriminated union. A drill's state is a pure fold over these
 * (src/core/drill-state.ts), so whatever the process did before it died can be recovered from
 * the journal alone. Adding a kind here makes the compiler point at every fold and formatter
 * that must handle it.
 */
import type { ProbeSpec } from './probe-spec.js';

export type DrillMode = 'adhoc' | 'facilitated' | 'unattended';
export interface DrillObjectives {
  detectWithin?: number;
  diagnoseWithin?: number;
  mitigateWithin?: number;
  recoverWithin?: number;
}
export type MarkKind = 'detected' | 'diagnosed' | 'mitigated' | 'note';

/** Everything an injector needs later to undo (or re-verify) one fault on one target. */
export interface FaultRecord {
  /** unique within the drill, e.g. f1-pod-shop-checkout-7d9c */
  faultId: string;
  kind: string;
  /** human readable target, e.g. pod shop/checkout-7d9c */
  target: string;
  reversible: boolean;
  /** epoch ms after which the fault must revert on its own (reversible faults only) */
  deadline?: number;
  /** injector-owned undo data: everything needed to revert, journaled before the mutation */
  undo: Record<string, unknown>;
}

interface Base {
  /** schema version of the line */
  v: 1;
  drillId: string;
  /** ISO-8601 */
  at: string;
  /** 1-based position in the journal, assigned by the store */
  seq: number;
}

export type DrillEventBody =
  | {
      type: 'drill-started'; mode: DrillMode; env: string; scenario?: string; title?: string; pid: number; host: string; timeLimitMs?: number; seed?: number;
      /** the scenario's objectives in ms and its number of hints, so reports need only the journal */
      objectives?: DrillObjectives; hintCount?: number; runbook?: string;
    }
  | { type: 'preflight'; ok: boolean; checks: { name: string; ok: boolean; detail?: string }[] }
  | { type: 'plan'; faults: { index: number; kind: string; targets: string[]; reversible: boolean; deadline?: number }[] }
  /** written and fsynced BEFORE the mutating call */
  | { type: 'fault-intent'; record: FaultRecord }
  | { type: 'fault-injected'; faultId: string; detail?: Record<string, unknown> }
  | { type: 'fault-inject-failed'; faultId: string; error: string; maybeApplied: boolean }
  | { type: 'fault-verified'; faultId: string; phase: 'injected' | 'reverted'; ok: boolean; detail?: string }
  /** recovery evidence and other facts observed after injection (replacement pod Ready in 4.2 s…) */
  | { type: 'fault-observed'; faultId: string; detail: Record<string, unknown> }
  | { type: 'fault-revert-started'; faultId: string; reason: RevertReason }
  | { type: 'fault-reverted'; faultId: string; outcome: 'reverted' | 'already-reverted'; detail?: Record<string, unknown> }
  | { type: 'fault-revert-failed'; faultId: string; error: string }
  | { type: 'probe-result'; probe: string; probeType: ProbeSpec['type']; ok: boolean; detail?: string; latencyMs?: number }
  | { type: 'hint-revealed'; index: number; text: string; trigger: 'timed' | 'manual' }
  | { type: 'mark'; mark: MarkKind; text?: string; by?: string }
  | { type: 'reaper-started'; pid: number; deadline: number }
  | { type: 'debrief'; answers: Record<string, string | string[]> }
  | { type: 'drill-ended'; reason: EndReason; detail?: string };

export type RevertReason = 'deadline' | 'facilitator' | 'halt' | 'recover' | 'rollback' | 'drill-end' | 'interrupt';
export type EndReason = 'completed' | 'interrupted' | 'failed' | 'halted' | 'aborted';

export type DrillEvent = Base & DrillEventBody;
export type DrillEventType = DrillEvent['type'];
export type EventOf<T extends DrillEventType> = Extract<DrillEvent, { type: T }>;

export const DRILL_EVENT_TYPES = [
  'drill-started', 'preflight', 'plan', 'fault-intent', 'fault-injected', 'fault-inject-failed', 'fault-verified',
  'fault-observed', 'fault-revert-started', 'fault-reverted', 'fault-revert-failed', 'probe-result', 'hint-revealed',
  'mark', 'reaper-started', 'debrief', 'drill-ended',
] as const satisfies readonly DrillEventType[];
