/**
 * Drill history across Failure Wednesdays: one row per drill (from its summary, so from its journal
 * alone) and, per scenario, whether the team is getting faster — the question a game-day programme
 * exists to answer. Also the action items everyone promised in the debriefs, with their owners,
 * and which of them a later drill closed.
 *
 * When is an action item closed? Only when a later debrief of the same scenario says so: the
 * facilitated debrief lists the scenario's open items and the facilitator picks those now done
 * (journaled as the debrief's `closedItems`, each an item's task as it was written). A later drill
 * merely passing is not taken as proof: an item about documentation or alerting may not be what
 * the drill measured. Pure: the caller reads the journals.
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
  /** earlier action items this drill's debrief said are done (tasks as written then) */
  closedItems: string[];
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
    closedItems: s.debrief?.closedItems ?? [],
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

export interface TrackedActionItem extends ActionItem {
  /** the drill whose debrief raised it */
  drillId: string;
  scenario?: string;
  startedAt?: string;
  /** the later drill of the same scenario whose debrief said it is done; absent while open */
  closedBy?: { drillId: string; startedAt?: string };
}

/** The same item in two debriefs: case, spacing and a final full stop aside. */
export const sameTask = (a: string, b: string): boolean => taskKey(a) === taskKey(b);
const taskKey = (task: string): string => task.toLowerCase().replace(/\s+/g, ' ').trim().replace(/\.$/, '');

const raisedBy = (r: HistoryRow, a: ActionItem): TrackedActionItem => ({ ...a, drillId: r.drillId, ...(r.scenario ? { scenario: r.scenario } : {}), ...(r.startedAt ? { startedAt: r.startedAt } : {}) });

/**
 * Every debrief action item, newest drill first, with where it came from and, once a later debrief
 * of the same scenario closed it, by which drill. A closure names the oldest open item of that
 * task; an item is never closed by its own drill, nor by another scenario's.
 */
export function actionItems(rows: readonly HistoryRow[]): TrackedActionItem[] {
  const byDrill: TrackedActionItem[][] = [];
  for (const r of rows) {
    for (const task of r.scenario ? r.closedItems : []) {
      const item = byDrill.flat().find((i) => !i.closedBy && i.scenario === r.scenario && sameTask(i.task, task));
      if (item) item.closedBy = { drillId: r.drillId, ...(r.startedAt ? { startedAt: r.startedAt } : {}) };
    }
    byDrill.push(r.actionItems.map((a) => raisedBy(r, a)));
  }
  return byDrill.reverse().flat();
}

/** A scenario's items still open, oldest drill first: what its next debrief asks about. */
export function openActionItems(rows: readonly HistoryRow[], scenario: string): TrackedActionItem[] {
  const open = actionItems(rows).filter((i) => i.scenario === scenario && !i.closedBy);
  const order = rows.map((r) => r.drillId);
  return open.sort((a, b) => order.indexOf(a.drillId) - order.indexOf(b.drillId));
}

/** "1, 3" → the tasks of items 1 and 3 of `open` (1-based); anything else in the answer is ignored. */
export function pickItems(answer: string, open: readonly ActionItem[]): string[] {
  const picked = new Set(answer.split(/[\s,;]+/).map(Number).filter((n) => Number.isInteger(n) && n >= 1 && n <= open.length));
  return [...picked].sort((a, b) => a - b).map((n) => open[n - 1]!.task);
}

export interface ScenarioItems {
  scenario: string;
  /** newest first */
  open: TrackedActionItem[];
  /** newest first */
  closed: TrackedActionItem[];
}

/** Action items per scenario (by id; items from drills without one under "(ad hoc)"): open ones, then closed. */
export function itemsByScenario(items: readonly TrackedActionItem[]): ScenarioItems[] {
  const groups = new Map<string, ScenarioItems>();
  for (const i of items) {
    const scenario = i.scenario ?? '(ad hoc)';
    const g = groups.get(scenario) ?? { scenario, open: [], closed: [] };
    (i.closedBy ? g.closed : g.open).push(i);
    groups.set(scenario, g);
  }
  return [...groups.values()].sort((a, b) => a.scenario.localeCompare(b.scenario));
}
