/**
 * The drill's outcome, as a pure function of its journal: times to detect, diagnose, mitigate and
 * recover against the scenario's objectives, hints used, and a score. The end-of-drill screen and
 * every report renderer read this one model. The formula is documented in docs/scoring.md.
 *
 * Clock zero ("t0") is the moment the failure began: the first fault injected, or the drill's start
 * for a tabletop drill with no faults.
 */
import { foldDrill, type DrillState } from './drill-state.js';
import type { DrillEvent, DrillEventType, DrillMode, DrillObjectives, EndReason, EventOf, MarkKind } from './events.js';
import { eventText } from './event-text.js';

export type MeasureKey = 'detect' | 'diagnose' | 'mitigate' | 'recover';
export const MEASURES: readonly MeasureKey[] = ['detect', 'diagnose', 'mitigate', 'recover'];
const MARK_OF: Record<Exclude<MeasureKey, 'recover'>, MarkKind> = { detect: 'detected', diagnose: 'diagnosed', mitigate: 'mitigated' };
const OBJECTIVE_OF: Record<MeasureKey, keyof DrillObjectives> = { detect: 'detectWithin', diagnose: 'diagnoseWithin', mitigate: 'mitigateWithin', recover: 'recoverWithin' };
export const MEASURE_LABEL: Record<MeasureKey, string> = { detect: 'Time to detect', diagnose: 'Time to diagnose', mitigate: 'Time to mitigate', recover: 'Time to recover' };

/** Points taken off per hint revealed. */
export const HINT_PENALTY = 5;

export interface Measure {
  key: MeasureKey;
  label: string;
  /** ms from t0; undefined when it never happened */
  ms?: number;
  objectiveMs?: number;
  /** false when the objective does not apply (human marks in an unattended drill, recovery without probes) */
  applicable: boolean;
  /** within the objective (undefined without one) */
  met?: boolean;
  /** 0..1, see docs/scoring.md */
  credit?: number;
  note?: string;
  /** it did not happen because the drill stopped (or its journal stops) first: not reached, rather than missed */
  cutShort?: boolean;
}

export interface TimelineEntry {
  at: string;
  /** ms from t0 (negative before the failure began) */
  offsetMs: number;
  kind: 'start' | 'preflight' | 'fault' | 'revert' | 'probe' | 'hint' | 'step' | 'mark' | 'debrief' | 'end';
  text: string;
  ok?: boolean;
  /** what the entry is about: the probe's name, or the fault's id */
  subject?: string;
}

/** Which events a timeline shows, and as what; the wording is core/event-text.ts's. */
const TIMELINE_KIND: { [T in DrillEventType]: TimelineEntry['kind'] | undefined } = {
  'drill-started': 'start',
  preflight: 'preflight',
  plan: undefined,
  'fault-intent': undefined,
  'fault-injected': 'fault',
  'fault-inject-failed': 'fault',
  'fault-verified': undefined,
  'fault-observed': 'fault',
  'fault-revert-started': undefined,
  'fault-reverted': 'revert',
  'fault-revert-failed': 'revert',
  'probe-result': 'probe',
  'hint-revealed': 'hint',
  'step-done': 'step',
  mark: 'mark',
  'reaper-started': undefined,
  debrief: 'debrief',
  'drill-ended': 'end',
};

export interface ChecklistResult {
  index: number;
  step: string;
  targetMs?: number;
  /** ms from the drill's start; undefined when the step was not ticked off */
  ms?: number;
  /** done after its target, or not done at all */
  late: boolean;
}

/** Each checklist step's time, counted from the drill's start: a tabletop's clock starts with the drill. */
export function checklistResults(started: EventOf<'drill-started'> | undefined, state: DrillState): ChecklistResult[] {
  const start = state.startedAt ? Date.parse(state.startedAt) : undefined;
  return (started?.checklist ?? []).map((c, index) => {
    const done = state.steps.find((s) => s.index === index);
    const ms = done && start !== undefined ? Date.parse(done.at) - start : undefined;
    return { index, step: c.step, targetMs: c.targetMs, ms, late: ms === undefined || (c.targetMs !== undefined && ms > c.targetMs) };
  });
}

export interface ActionItem {
  task: string;
  owner?: string;
}

export interface DrillSummary {
  drillId: string;
  scenario?: string;
  title?: string;
  env?: string;
  mode?: DrillMode;
  startedAt?: string;
  endedAt?: string;
  endReason?: EndReason;
  /** why it ended, as journaled ("the halt flag was set (…)", "ended by the facilitator") */
  endDetail?: string;
  runbook?: string;
  /** no fault was planned: a tabletop exercise, its times counted from the drill's start */
  tabletop: boolean;
  /** the process that ran the drill: who to ask when the journal has no end (still running, or it died) */
  owner?: { pid: number; host: string };
  /** the last event's time: where a journal without an end stops */
  lastEventAt?: string;
  t0?: string;
  durationMs?: number;
  measures: Measure[];
  hintsUsed: number;
  hintCount?: number;
  score: number;
  /** every applicable objective met, and the drill completed */
  passed: boolean;
  faults: { faultId: string; kind: string; target: string; reversible: boolean; status: string; injectedAt?: string; revertedAt?: string; error?: string }[];
  probes: { name: string; ok: boolean; detail?: string; changes: number }[];
  /** steady state at the end of the drill (every probe ok) */
  steadyAtEnd?: boolean;
  marks: { mark: MarkKind; offsetMs: number; text?: string }[];
  hints: { index: number; text: string; offsetMs: number; trigger: 'timed' | 'manual' }[];
  /** the checklist: each step's time from the drill's start (not from t0) against its target */
  steps: ChecklistResult[];
  /** `closedItems`: earlier action items of the scenario the team said are done now (their tasks, as written then) */
  debrief?: { wentWell?: string; hard?: string; gaps?: string; actionItems: ActionItem[]; closedItems: string[] };
  timeline: TimelineEntry[];
}

/** "fix the alert @alice" → { task: 'fix the alert', owner: 'alice' } */
export function parseActionItem(text: string): ActionItem {
  const m = /^(.*?)\s*(?:@|owner:\s*)([\w.-]+)\s*$/i.exec(text.trim());
  return m && m[1] ? { task: m[1].replace(/[\s,;—-]+$/, ''), owner: m[2] } : { task: text.trim() };
}

/** Splits a free-text answer into action items: one per line or per ';'. */
export function splitActionItems(text: string): string[] {
  return text.split(/[\n;]+/).map((s) => s.trim()).filter(Boolean);
}

/** 1 within the objective; falls linearly to 0 at twice the objective; 0 when it never happened. */
export function credit(ms: number | undefined, objectiveMs: number): number {
  if (ms === undefined) return 0;
  if (ms <= objectiveMs) return 1;
  if (ms >= 2 * objectiveMs) return 0;
  return 1 - (ms - objectiveMs) / objectiveMs;
}

/** round(100 × mean credit of the applicable objectives, or 100 without any) − 5 per hint, at least 0. */
export function score(measures: readonly Measure[], hintsUsed: number): number {
  const scored = measures.filter((m) => m.applicable && m.objectiveMs !== undefined);
  const base = scored.length === 0 ? 100 : (100 * scored.reduce((s, m) => s + (m.credit ?? 0), 0)) / scored.length;
  return Math.max(0, Math.round(base - HINT_PENALTY * hintsUsed));
}

const ms = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

/**
 * When steady state was restored for good after it broke: replay the probe changes from the
 * fault's onset — its intent, journaled just before the mutation: a probe watching the target may
 * see it break before the injection's answer is journaled (t0), and that break is this fault's.
 */
function recovery(events: readonly DrillEvent[], onset: number): { broke: boolean; recoveredAt?: number; steadyAtEnd?: boolean } {
  const ok = new Map<string, boolean>();
  let broke = false;
  let recoveredAt: number | undefined;
  for (const e of events) {
    if (e.type !== 'probe-result') continue;
    const wasAll = ok.size > 0 && [...ok.values()].every(Boolean);
    ok.set(e.probe, e.ok);
    const isAll = [...ok.values()].every(Boolean);
    const at = Date.parse(e.at);
    if (at < onset) continue;
    if (!e.ok) {
      broke = true;
      recoveredAt = undefined;
    } else if (broke && isAll && !wasAll) recoveredAt = at;
  }
  return { broke, recoveredAt, steadyAtEnd: ok.size ? [...ok.values()].every(Boolean) : undefined };
}

const endDetailOf = (events: readonly DrillEvent[]): string | undefined => events.findLast((e) => e.type === 'drill-ended')?.detail;

/** Why a measure has no time: what was missing, or that the drill stopped (or its journal stops) before it could happen. */
function missing(state: DrillState, usual: string): Pick<Measure, 'note' | 'cutShort'> {
  if (state.endReason === undefined) return { note: 'the journal has no end', cutShort: true };
  if (state.endReason !== 'completed') return { note: `the drill was ${state.endReason} first`, cutShort: true };
  return { note: usual };
}

function measuresOf(events: readonly DrillEvent[], state: DrillState, t0: number, onset: number): { measures: Measure[]; steadyAtEnd?: boolean } {
  const objectives: DrillObjectives = events.find((e) => e.type === 'drill-started')?.objectives ?? {};
  const rec = recovery(events, onset);
  const measures = MEASURES.map((key) => {
    const objectiveMs = objectives[OBJECTIVE_OF[key]];
    const base = { key, label: MEASURE_LABEL[key], objectiveMs };
    let m: Measure;
    if (key === 'recover') {
      if (state.probes.size === 0) m = { ...base, applicable: false, note: 'no steady-state probes' };
      else if (!rec.broke) m = { ...base, applicable: true, ms: 0, note: 'steady state never broke' };
      else if (rec.recoveredAt !== undefined) m = { ...base, applicable: true, ms: Math.max(0, rec.recoveredAt - t0) };
      else m = { ...base, applicable: true, ...missing(state, 'steady state not restored') };
    } else {
      const mark = state.marks.find((x) => x.mark === MARK_OF[key] && Date.parse(x.at) >= t0) ?? state.marks.find((x) => x.mark === MARK_OF[key]);
      if (state.mode === 'unattended') m = { ...base, applicable: false, note: 'unattended: nobody marks it' };
      else m = { ...base, applicable: true, ...(mark ? { ms: Math.max(0, Date.parse(mark.at) - t0) } : missing(state, 'not marked')) };
    }
    if (m.applicable && objectiveMs !== undefined) {
      m.met = m.ms !== undefined && m.ms <= objectiveMs;
      m.credit = credit(m.ms, objectiveMs);
    }
    return m;
  });
  return { measures, ...(rec.steadyAtEnd !== undefined ? { steadyAtEnd: rec.steadyAtEnd } : {}) };
}

export function summarize(events: readonly DrillEvent[], state: DrillState = foldDrill(events[0]?.drillId ?? 'drill', events)): DrillSummary {
  const started = events.find((e) => e.type === 'drill-started');
  const firstInjected = events.find((e) => e.type === 'fault-injected');
  const t0iso = firstInjected?.at ?? state.startedAt;
  const t0 = ms(t0iso) ?? 0;
  const intent = firstInjected && events.find((e) => e.type === 'fault-intent' && e.record.faultId === firstInjected.faultId);
  const onset = Math.min(t0, ms(intent?.at) ?? t0);
  const off = (iso: string) => Date.parse(iso) - t0;
  const { measures, steadyAtEnd } = measuresOf(events, state, t0, onset);

  const hintsUsed = state.hints.length;
  const completed = state.endReason === 'completed';
  const targetOf = (id: string) => state.faults.get(id)?.record.target;
  const timeline: TimelineEntry[] = events.flatMap((e) => {
    const kind = TIMELINE_KIND[e.type];
    if (!kind) return [];
    const { text, ok } = eventText(e, targetOf);
    const subject = e.type === 'probe-result' ? e.probe : 'faultId' in e ? e.faultId : undefined;
    return [{ at: e.at, offsetMs: off(e.at), kind, text, ok, ...(subject !== undefined ? { subject } : {}) }];
  });

  const d = state.debrief;
  const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('\n') : v) || undefined;
  const list = (v: string | string[] | undefined) => (Array.isArray(v) ? v : splitActionItems(v ?? ''));
  const debrief = d
    ? { wentWell: str(d.wentWell), hard: str(d.hard), gaps: str(d.gaps), actionItems: list(d.actionItems).map(parseActionItem), closedItems: list(d.closedItems) }
    : undefined;

  const passed = completed && measures.every((m) => !m.applicable || m.objectiveMs === undefined || m.met === true);
  return {
    drillId: state.drillId,
    scenario: state.scenario,
    title: state.title,
    env: state.env,
    mode: state.mode,
    startedAt: state.startedAt,
    endedAt: state.endedAt,
    endReason: state.endReason,
    ...(endDetailOf(events) !== undefined ? { endDetail: endDetailOf(events) } : {}),
    runbook: started?.runbook,
    tabletop: events.some((e) => e.type === 'plan' && e.faults.length === 0),
    ...(state.pid !== undefined && state.host !== undefined ? { owner: { pid: state.pid, host: state.host } } : {}),
    lastEventAt: events.at(-1)?.at,
    t0: t0iso,
    durationMs: state.startedAt && state.endedAt ? Date.parse(state.endedAt) - Date.parse(state.startedAt) : undefined,
    measures,
    hintsUsed,
    hintCount: started?.hintCount,
    score: score(measures, hintsUsed),
    passed,
    faults: [...state.faults.values()].map((f) => ({ faultId: f.record.faultId, kind: f.record.kind, target: f.record.target, reversible: f.record.reversible, status: f.status, injectedAt: f.injectedAt, revertedAt: f.revertedAt, error: f.lastError })),
    probes: [...state.probes.values()].map((p) => ({ name: p.name, ok: p.ok, detail: p.detail, changes: p.changes.length })),
    steadyAtEnd,
    marks: state.marks.map((m) => ({ mark: m.mark, offsetMs: off(m.at), text: m.text })),
    hints: state.hints.map((h) => ({ index: h.index, text: h.text, offsetMs: off(h.at), trigger: h.trigger })),
    steps: checklistResults(started, state),
    debrief,
    timeline,
  };
}
