/**
 * The end-of-drill summary as rows with a meaning (tone), for the terminal's result section: the
 * host colours by tone, never by matching the text.
 */
import { formatDuration } from './duration.js';
import type { Tone } from './event-text.js';
import type { DrillSummary } from './summary.js';

export interface Row {
  text: string;
  tone: Tone;
}

export function summaryRows(s: DrillSummary): Row[] {
  const rows: Row[] = [];
  rows.push({ text: `${s.title ?? s.scenario ?? s.drillId} on ${s.env ?? '?'} — ${s.endReason ?? 'open'}${s.durationMs !== undefined ? ` after ${formatDuration(s.durationMs)}` : ''}`, tone: 'plain' });
  for (const m of s.measures) {
    const value = m.ms === undefined ? '—' : formatDuration(m.ms);
    const target = m.objectiveMs === undefined ? 'no objective' : `objective ${formatDuration(m.objectiveMs)}`;
    const verdict = !m.applicable ? 'n/a' : m.objectiveMs === undefined ? '' : m.met ? 'MET' : 'MISSED';
    const tone: Tone = verdict === 'MET' ? 'good' : verdict === 'MISSED' ? 'bad' : 'plain';
    rows.push({ text: `  ${m.label.padEnd(17)} ${value.padStart(8)}   ${target.padEnd(22)} ${verdict}${m.note ? `  (${m.note})` : ''}`, tone });
  }
  rows.push({ text: `  Hints used        ${String(s.hintsUsed).padStart(8)}${s.hintCount !== undefined ? ` of ${s.hintCount}` : ''}`, tone: 'plain' });
  const outcome = s.passed ? 'PASSED' : s.endReason === 'completed' ? 'objectives not met' : `did not complete (${s.endReason ?? 'open'})`;
  rows.push({ text: `  Score             ${String(s.score).padStart(8)} / 100   ${outcome}`, tone: s.passed ? 'good' : 'bad' });
  if (s.steadyAtEnd !== undefined) rows.push({ text: `  Steady state at the end: ${s.steadyAtEnd ? 'holds' : 'BROKEN'}`, tone: s.steadyAtEnd ? 'good' : 'bad' });
  rows.push({ text: `  Drill id: ${s.drillId}   (gameday report ${s.drillId} --format html --out report.html)`, tone: 'dim' });
  return rows;
}
