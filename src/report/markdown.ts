import type { DrillSummary } from '../core/summary.js';
import { clockZero, END_WORDS, fmt, offset, openDrillWarning, outcome, stepVerdict, verdict } from './text.js';

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function header(s: DrillSummary): string[] {
  const out = [`# Game day report: ${s.title ?? s.scenario ?? s.drillId}`, ''];
  out.push(`- **Result:** ${outcome(s)} — score **${s.score}/100**`);
  out.push(`- **Drill:** \`${s.drillId}\` (${s.mode ?? '?'}) on **${s.env ?? '?'}**, ${END_WORDS[s.endReason ?? ''] ?? 'no end recorded'}`);
  if (s.endReason && s.endReason !== 'completed' && s.endDetail) out.push(`- **Why it ended:** ${s.endDetail}`);
  out.push(`- **When:** ${s.startedAt ?? '?'}${s.durationMs !== undefined ? `, lasted ${fmt(s.durationMs)}` : ''}`);
  if (s.runbook) out.push(`- **Runbook:** ${s.runbook}`);
  out.push(`- **Hints used:** ${s.hintsUsed}${s.hintCount !== undefined ? ` of ${s.hintCount}` : ''}`);
  if (s.steadyAtEnd !== undefined) out.push(`- **Steady state ${s.endReason ? 'at the end' : 'at the last probe'}:** ${s.steadyAtEnd ? 'healthy' : 'still broken'}`);
  const open = openDrillWarning(s);
  if (open) out.push('', `> **No end recorded.** ${open}`);
  return [...out, ''];
}

function objectives(s: DrillSummary): string[] {
  const out = ['## Objectives', '', '| Measure | Time | Objective | Verdict |', '| --- | --- | --- | --- |'];
  for (const m of s.measures) out.push(`| ${m.label} | ${fmt(m.ms)} | ${fmt(m.objectiveMs)} | ${verdict(m)}${m.note ? ` (${esc(m.note)})` : ''} |`);
  return [...out, '', clockZero(s), ''];
}

function faults(s: DrillSummary): string[] {
  if (!s.faults.length) return ['## Faults', '', s.tabletop ? 'None: a tabletop exercise, nothing was broken.' : 'None injected.', ''];
  const out = ['## Faults', '', '| Target | Kind | Status | Injected | Reverted |', '| --- | --- | --- | --- | --- |'];
  for (const f of s.faults) out.push(`| ${esc(f.target)} | ${f.kind} | ${f.status}${f.error ? ` (${esc(f.error)})` : ''} | ${f.injectedAt ?? '—'} | ${f.revertedAt ?? (f.reversible ? '—' : 'one-shot')} |`);
  return [...out, ''];
}

/** Each probe's last reading and how often it changed: a flapping probe shows here, not only in the timeline. */
function probes(s: DrillSummary): string[] {
  if (!s.probes.length) return [];
  const out = ['## Steady-state probes', '', '| Probe | Last reading | Changes of state |', '| --- | --- | --- |'];
  for (const p of s.probes) out.push(`| ${esc(p.name)} | ${p.ok ? 'healthy' : 'BROKEN'}${p.detail ? ` (${esc(p.detail)})` : ''} | ${Math.max(0, p.changes - 1)} |`);
  return [...out, ''];
}

function checklist(s: DrillSummary): string[] {
  if (!s.steps.length) return [];
  const out = ['## Checklist', '', '| Step | Target | Done at | |', '| --- | --- | --- | --- |'];
  for (const st of s.steps) out.push(`| ${st.index + 1}. ${esc(st.step)} | ${fmt(st.targetMs)} | ${fmt(st.ms)} | ${stepVerdict(st)} |`);
  return [...out, '', '_Checklist times count from the start of the drill._', ''];
}

function timeline(s: DrillSummary): string[] {
  return ['## Timeline', '', '| Time | What happened |', '| --- | --- |', ...s.timeline.map((t) => `| ${offset(t.offsetMs)} | ${esc(t.text)} |`), ''];
}

function debrief(s: DrillSummary): string[] {
  const d = s.debrief;
  if (!d) return [];
  const out = ['## Debrief', '', `**What went well:** ${d.wentWell ?? '—'}`, '', `**What was hard:** ${d.hard ?? '—'}`, '', `**Gaps found:** ${d.gaps ?? '—'}`, '', '**Action items:**', ''];
  if (d.actionItems.length === 0) out.push('- none');
  for (const a of d.actionItems) out.push(`- [ ] ${a.task}${a.owner ? ` — owner: **${a.owner}**` : ' — owner: _unassigned_'}`);
  if (d.closedItems.length) out.push('', '**Done since an earlier drill:**', '', ...d.closedItems.map((t) => `- [x] ${t}`));
  return [...out, ''];
}

export function renderMarkdown(s: DrillSummary): string {
  return [
    ...header(s),
    ...objectives(s),
    ...faults(s),
    ...probes(s),
    ...checklist(s),
    ...timeline(s),
    ...debrief(s),
    '_Score: 100 × the mean credit of the objectives that apply (1 within the objective, falling to 0 at twice it), minus 5 per hint._',
    '',
  ].join('\n');
}
