/**
 * What the room's screen may show, as a pure function of a drill's journal and the time. The screen
 * is for the players, so this is where secrets are kept back: unrevealed hints are never in the
 * journal (only their count is), the facilitator's summary never is, and the faults' kinds and
 * targets (in the plan, the intents and the recovery evidence) are withheld until the drill has
 * ended — a fault reads "fault 1" until then. Everything the page receives is built here, so the
 * tests of this module are the tests of what can leak.
 */
import type { DrillState } from './drill-state.js';
import { eventText, type Tone } from './event-text.js';
import type { DrillEvent, DrillEventType, EndReason, MarkKind } from './events.js';
import { MEASURE_LABEL, summarize, type MeasureKey } from './summary.js';

export type ScreenPhase = 'waiting' | 'briefing' | 'live' | 'ended';

export interface ScreenView {
  phase: ScreenPhase;
  /** the last journal line shown (the page exposes it, so a test can tell when an append arrived) */
  seq: number;
  drillId?: string;
  title: string;
  env?: string;
  briefing?: string;
  runbook?: string;
  /** the big clock: ms since the failure began (since the start before it did); `running` ticks on the page */
  clock: { ms: number; running: boolean; limitMs?: number };
  /** each objective and, once reached, when; `met` only once decided */
  objectives: { key: MeasureKey; label: string; withinMs?: number; ms?: number; met?: boolean; note?: string }[];
  hints: { number: number; text: string; atMs: number }[];
  hintCount?: number;
  /** the team's marks (notes are the facilitator's and stay off the screen) */
  marks: { mark: Exclude<MarkKind, 'note'>; text?: string; atMs: number }[];
  probes: { name: string; ok: boolean; detail?: string; sinceMs: number }[];
  /** `kind` and `target` only once the drill has ended */
  faults: { label: string; status: string; kind?: string; target?: string; expiresInMs?: number }[];
  /** what happened, newest last, in the one wording of core/event-text.ts */
  log: { atMs: number; text: string; tone: Tone }[];
  /** at the end: the outcome against the objectives */
  result?: { endReason?: EndReason; score: number; passed: boolean; hintsUsed: number; durationMs?: number };
}

/** The events the screen's log shows: what the room sees happen, never the bookkeeping that names targets. */
const LOGGED: ReadonlySet<DrillEventType> = new Set<DrillEventType>(['drill-started', 'fault-injected', 'fault-reverted', 'probe-result', 'hint-revealed', 'step-done', 'mark', 'drill-ended']);
export const SCREEN_LOG_SIZE = 12;

/** The screen of a drill not started yet (`gameday run --screen` before its journal exists). */
export const waitingView = (title = 'Waiting for the drill to start'): ScreenView => ({ phase: 'waiting', seq: 0, title, clock: { ms: 0, running: false }, objectives: [], hints: [], marks: [], probes: [], faults: [], log: [] });

export function screenView(events: readonly DrillEvent[], state: DrillState, now: number, extra: { briefing?: string } = {}): ScreenView {
  const started = events.find((e): e is Extract<DrillEvent, { type: 'drill-started' }> => e.type === 'drill-started');
  if (!started || !state.startedAt) return { ...waitingView(), seq: state.lastSeq, drillId: state.drillId };
  const ended = state.endedAt !== undefined;
  const t0 = Date.parse(events.find((e) => e.type === 'fault-injected')?.at ?? state.startedAt);
  const injected = events.some((e) => e.type === 'fault-injected');
  const phase: ScreenPhase = ended ? 'ended' : injected || events.some((e) => e.type === 'hint-revealed' || e.type === 'mark') ? 'live' : 'briefing';
  const at = (iso: string) => Date.parse(iso) - t0;
  const labels = faultLabels(state);
  const summary = summarize(events, state);
  return {
    phase,
    seq: state.lastSeq,
    drillId: state.drillId,
    title: state.title ?? state.scenario ?? state.drillId,
    env: state.env,
    briefing: started.briefing ?? extra.briefing,
    runbook: started.runbook,
    clock: { ms: Math.max(0, (ended ? Date.parse(state.endedAt!) : now) - t0), running: !ended && phase === 'live', limitMs: state.timeLimitMs },
    objectives: summary.measures
      .filter((m) => m.applicable && (m.objectiveMs !== undefined || m.ms !== undefined))
      // "missed" is final only at the end or past the objective; meanwhile an unreached goal is pending
      .map((m) => ({ key: m.key, label: MEASURE_LABEL[m.key], withinMs: m.objectiveMs, ms: m.ms, met: m.ms !== undefined || ended ? m.met : undefined, note: ended ? m.note : undefined })),
    hints: state.hints.map((h) => ({ number: h.index + 1, text: h.text, atMs: at(h.at) })),
    hintCount: started.hintCount,
    marks: state.marks.flatMap((m) => (m.mark === 'note' ? [] : [{ mark: m.mark, ...(m.text ? { text: m.text } : {}), atMs: at(m.at) }])),
    probes: [...state.probes.values()].map((p) => ({ name: p.name, ok: p.ok, ...(p.detail ? { detail: p.detail } : {}), sinceMs: now - Date.parse(p.since) })),
    faults: [...state.faults.values()].map((f) => ({
      label: labels.get(f.record.faultId)!,
      status: f.status,
      ...(ended ? { kind: f.record.kind, target: f.record.target } : {}),
      ...(f.record.deadline !== undefined && (f.status === 'active' || f.status === 'intended') ? { expiresInMs: f.record.deadline - now } : {}),
    })),
    log: screenLog(events, (id) => (ended ? state.faults.get(id)?.record.target : labels.get(id)), at),
    ...(ended ? { result: { endReason: summary.endReason, score: summary.score, passed: summary.passed, hintsUsed: summary.hintsUsed, durationMs: summary.durationMs } } : {}),
  };
}

/** "fault 1", "fault 2"… in the order the faults were intended. */
function faultLabels(state: DrillState): Map<string, string> {
  return new Map([...state.faults.keys()].map((id, i) => [id, `fault ${i + 1}`]));
}

/** The latest happenings: probe results only when they change, notes never. */
function screenLog(events: readonly DrillEvent[], targetOf: (faultId: string) => string | undefined, at: (iso: string) => number): ScreenView['log'] {
  const lastOk = new Map<string, boolean>();
  const out: ScreenView['log'] = [];
  for (const e of events) {
    if (!LOGGED.has(e.type)) continue;
    if (e.type === 'mark' && e.mark === 'note') continue;
    if (e.type === 'probe-result') {
      if (lastOk.get(e.probe) === e.ok) continue;
      lastOk.set(e.probe, e.ok);
    }
    const { text, tone } = eventText(e, targetOf);
    out.push({ atMs: at(e.at), text, tone });
  }
  return out.slice(-SCREEN_LOG_SIZE);
}
