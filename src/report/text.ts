/** Shared wording for the renderers: plain language a non-technical reader follows. */
import { formatDuration } from '../core/duration.js';
import type { ChecklistResult, DrillSummary, Measure } from '../core/summary.js';

export const fmt = (ms: number | undefined): string => (ms === undefined ? '—' : formatDuration(ms));
export const offset = (ms: number): string => (ms < 0 ? `-${formatDuration(-ms)}` : `+${formatDuration(ms)}`);

/** A measure's verdict in a word or two; its note (shown beside it) says why when it has no time. */
export function verdict(m: Measure): string {
  if (!m.applicable) return 'not applicable';
  if (m.ms === undefined) return m.cutShort ? 'not reached' : m.objectiveMs === undefined ? 'did not happen' : 'missed';
  if (m.objectiveMs === undefined) return 'no objective';
  return m.met ? 'met' : 'missed (late)';
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
  return s.endReason ? `did not complete (${s.endReason})` : 'no end recorded (still running, or its process died)';
}

/** Where clock zero is, in words: the failure's start, or the drill's when nothing was injected. */
export function clockZero(s: DrillSummary): string {
  if (s.tabletop) return 'No fault was injected (a tabletop exercise): times are measured from the start of the drill.';
  if (!s.faults.some((f) => f.injectedAt)) return 'No fault was injected: times are measured from the start of the drill.';
  return 'Times are measured from the moment the failure began (the first fault injected).';
}

/** Faults that may still be in place: what `gameday recover` would revert. */
export const stillActive = (s: DrillSummary): DrillSummary['faults'] => s.faults.filter((f) => ['intended', 'active', 'reverting', 'revert-failed'].includes(f.status));

/**
 * A journal without an end: the report cannot tell a drill still running from one whose process
 * died (it reads the journal alone), so it says both, names the process, and how to clean up.
 */
export function openDrillWarning(s: DrillSummary): string | undefined {
  if (s.endReason !== undefined) return undefined;
  const stops = s.lastEventAt && s.startedAt ? ` ${fmt(Date.parse(s.lastEventAt) - Date.parse(s.startedAt))} after the start` : '';
  const who = s.owner ? ` (pid ${s.owner.pid} on ${s.owner.host})` : '';
  const active = stillActive(s);
  const faults = active.length ? ` ${active.length} fault${active.length === 1 ? ' was' : 's were'} still active then: ${active.map((f) => f.target).join(', ')}.` : '';
  return `The journal stops${stops} without an end: the drill is still running${who}, or that process died.${faults} \`gameday status\` shows what is active; \`gameday recover ${s.drillId}\` reverts it.`;
}
