/**
 * Drill history across Failure Wednesdays: one row per drill (from its summary, so from its journal
 * alone) and, per scenario, whether the team is getting faster — the question a game-day programme
 * exists to answer. Also the action items everyone promised in the debriefs, with their owners.
 * Pure: the caller reads the journals.
 */
import { MEASURES, type ActionItem, type DrillSummary, type MeasureKey } from './summary.js';

export type Outcome = 'passed' | 'missed' | 'not completed' | 'running';

/** What history follows across drills: the four measures, and how long a tabletop's checklist took. */
export type TrendKey = MeasureKey | 'checklist';
export const TREND_KEYS: readonly TrendKey[] = [...MEASURES, 'checklist'];

export interface HistoryRow extends Pick<DrillSummary, 'drillId' | 'scenario' | 'title' | 'env' | 'mode' | 'startedAt' | 'endReason' | 'score' | 'hintsUsed'> {
  outcome: Outcome;
  /** ms from the failure's start; undefined when it did not happen (or does not apply) */
  times: Partial<Record<TrendKey, number>>;
  /** the scenario's objectives when this drill ran (ms), for charts that draw them as lines */
  objectives: Partial<Record<MeasureKey, number>>;
  actionItems: ActionItem[];
}

export interface HistoryFilter {
  scenario?: string;
  env?: string;
  /** ad-hoc injects are not drills: left out unless asked for */
  includeAdhoc?: boolean;
}

export interface Trend {
  scenario: string;
  /** completed drills of the scenario, oldest first */
  drills: number;
  measure: TrendKey;
  firstMs: number;
  lastMs: number;
  bestMs: number;
}

const outcomeOf = (s: DrillSummary): Outcome => (s.endReason === undefined ? 'running' : s.endReason !== 'completed' ? 'not completed' : s.passed ? 'passed' : 'missed');

export function historyRow(s: DrillSummary): HistoryRow {
  const times: Partial<Record<TrendKey, number>> = {};
  const objectives: Partial<Record<MeasureKey, number>> = {};
  for (const m of s.measures) {
    if (m.applicable && m.ms !== undefined) times[m.key] = m.ms;
    if (m.applicable && m.objectiveMs !== undefined) objectives[m.key] = m.objectiveMs;
  }
  // the checklist's time: when its last step was ticked off, if every step was
  if (s.steps.length && s.steps.every((st) => st.ms !== undefined)) times.checklist = Math.max(...s.steps.map((st) => st.ms!));
  return {
    drillId: s.drillId,
    ...(s.scenario ? { scenario: s.scenario } : {}),
    ...(s.title ? { title: s.title } : {}),
    ...(s.env ? { env: s.env } : {}),
    ...(s.mode ? { mode: s.mode } : {}),
    ...(s.startedAt ? { startedAt: s.startedAt } : {}),
    ...(s.endReason ? { endReason: s.endReason } : {}),
    outcome: outcomeOf(s),
    score: s.score,
    hintsUsed: s.hintsUsed,
    times,
    objectives,
    actionItems: s.debrief?.actionItems ?? [],
  };
}

/** Rows for the drills that match, oldest first. */
export function history(summaries: readonly DrillSummary[], filter: HistoryFilter = {}): HistoryRow[] {
  return summaries
    .filter((s) => (filter.includeAdhoc || s.mode !== 'adhoc') && (!filter.scenario || s.scenario === filter.scenario) && (!filter.env || s.env === filter.env))
    .map(historyRow)
    .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.drillId.localeCompare(b.drillId));
}

/** Per scenario and measure, over its completed drills (two or more): first, last and best time. */
export function trends(rows: readonly HistoryRow[]): Trend[] {
  const byScenario = new Map<string, HistoryRow[]>();
  for (const r of rows) if (r.scenario && r.endReason === 'completed') byScenario.set(r.scenario, [...(byScenario.get(r.scenario) ?? []), r]);
  const out: Trend[] = [];
  for (const [scenario, drills] of [...byScenario].sort(([a], [b]) => a.localeCompare(b))) {
    for (const measure of TREND_KEYS) {
      const times = drills.flatMap((d) => (d.times[measure] === undefined ? [] : [d.times[measure]!]));
      if (times.length < 2) continue;
      out.push({ scenario, drills: drills.length, measure, firstMs: times[0]!, lastMs: times.at(-1)!, bestMs: Math.min(...times) });
    }
  }
  return out;
}

/** Every debrief action item, newest drill first, with where it came from. */
export function actionItems(rows: readonly HistoryRow[]): (ActionItem & { drillId: string; scenario?: string; startedAt?: string })[] {
  return [...rows].reverse().flatMap((r) => r.actionItems.map((a) => ({ ...a, drillId: r.drillId, ...(r.scenario ? { scenario: r.scenario } : {}), ...(r.startedAt ? { startedAt: r.startedAt } : {}) })));
}
