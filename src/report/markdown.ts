import type { DrillSummary } from '../core/summary.js';
import { END_WORDS, fmt, offset, outcome, stepVerdict, verdict } from './text.js';

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(s: DrillSummary): string {
  const out: string[] = [];
  out.push(`# Game day report: ${s.title ?? s.scenario ?? s.drillId}`, '');
  out.push(`- **Result:** ${outcome(s)} — score **${s.score}/100**`);
  out.push(`- **Drill:** \`${s.drillId}\` (${s.mode ?? '?'}) on **${s.env ?? '?'}**, ${END_WORDS[s.endReason ?? ''] ?? 'still open'}`);
  out.push(`- **When:** ${s.startedAt ?? '?'}${s.durationMs !== undefined ? `, lasted ${fmt(s.durationMs)}` : ''}`);
  if (s.runbook) out.push(`- **Runbook:** ${s.runbook}`);
  out.push(`- **Hints used:** ${s.hintsUsed}${s.hintCount !== undefined ? ` of ${s.hintCount}` : ''}`);
  if (s.steadyAtEnd !== undefined) out.push(`- **Steady state at the end:** ${s.steadyAtEnd ? 'healthy' : 'still broken'}`);
  out.push('', '## Objectives', '', '| Measure | Time | Objective | Verdict |', '| --- | --- | --- | --- |');
  for (const m of s.measures) out.push(`| ${m.label} | ${fmt(m.ms)} | ${fmt(m.objectiveMs)} | ${verdict(m)}${m.note ? ` (${esc(m.note)})` : ''} |`);
  out.push('', 'Times are measured from the moment the failure began (the first fault injected).', '');
  if (s.faults.length) {
    out.push('## Faults', '', '| Target | Kind | Status | Injected | Reverted |', '| --- | --- | --- | --- | --- |');
    for (const f of s.faults) out.push(`| ${esc(f.target)} | ${f.kind} | ${f.status}${f.error ? ` (${esc(f.error)})` : ''} | ${f.injectedAt ?? '—'} | ${f.revertedAt ?? (f.reversible ? '—' : 'one-shot')} |`);
    out.push('');
  }
  if (s.steps.length) {
    out.push('## Checklist', '', '| Step | Target | Done at | |', '| --- | --- | --- | --- |');
    for (const st of s.steps) out.push(`| ${st.index + 1}. ${esc(st.step)} | ${fmt(st.targetMs)} | ${fmt(st.ms)} | ${stepVerdict(st)} |`);
    out.push('', '_Checklist times count from the start of the drill._', '');
  }
  out.push('## Timeline', '', '| Time | What happened |', '| --- | --- |');
  for (const t of s.timeline) out.push(`| ${offset(t.offsetMs)} | ${esc(t.text)} |`);
  out.push('');
  if (s.debrief) {
    out.push('## Debrief', '');
    out.push(`**What went well:** ${s.debrief.wentWell ?? '—'}`, '');
    out.push(`**What was hard:** ${s.debrief.hard ?? '—'}`, '');
    out.push(`**Gaps found:** ${s.debrief.gaps ?? '—'}`, '');
    out.push('**Action items:**', '');
    if (s.debrief.actionItems.length === 0) out.push('- none');
    for (const a of s.debrief.actionItems) out.push(`- [ ] ${a.task}${a.owner ? ` — owner: **${a.owner}**` : ' — owner: _unassigned_'}`);
    out.push('');
  }
  out.push('_Score: 100 × the mean credit of the objectives that apply (1 within the objective, falling to 0 at twice it), minus 5 per hint._', '');
  return out.join('\n');
}
