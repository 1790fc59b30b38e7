/** Shared wording for the renderers: plain language a non-technical reader follows. */
import { formatDuration } from '../core/duration.js';
import type { ChecklistResult, DrillSummary, Measure } from '../core/summary.js';

export const fmt = (ms: number | undefined): string => (ms === undefined ? '—' : formatDuration(ms));
export const offset = (ms: number): string => (ms < 0 ? `-${formatDuration(-ms)}` : `+${formatDuration(ms)}`);

export function verdict(m: Measure): string {
  if (!m.applicable) return 'not applicable';
  if (m.objectiveMs === undefined) return m.ms === undefined ? 'did not happen' : 'no objective';
  return m.met ? 'met' : m.ms === undefined ? 'missed (did not happen)' : 'missed (late)';
}

export const END_WORDS: Record<string, string> = {
  completed: 'completed',
  interrupted: 'interrupted (everything was reverted)',
  failed: 'failed (everything was reverted)',
  halted: 'halted',
  aborted: 'not started',
};

/** A checklist step in words: on time, late, or not done. */
export function stepVerdict(st: ChecklistResult): string {
  if (st.ms === undefined) return 'not done';
  if (st.targetMs === undefined) return 'done';
  return st.ms <= st.targetMs ? 'on time' : `late by ${formatDuration(st.ms - st.targetMs)}`;
}

/** The one-line outcome: passed, objectives not met, or why it did not complete. */
export function outcome(s: DrillSummary): string {
  if (s.passed) return 'PASSED';
  if (s.endReason === 'completed') return 'objectives not met';
  if (s.endReason === 'aborted') return 'not started';
  return s.endReason ? `did not complete (${s.endReason})` : 'still running';
}
