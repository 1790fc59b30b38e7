/**
 * A self-contained HTML report a non-technical audience can read: no scripts, no external fonts,
 * styles inline, plain words ("the team noticed the problem after 2m10s — the goal was 5m").
 */
import type { DrillSummary, Measure } from '../core/summary.js';
import { clockZero, END_WORDS, fmt, offset, openDrillWarning, outcome, stepVerdict } from './text.js';
import { timelineSvg } from './timeline-svg.js';

const h = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const PLAIN: Record<string, string> = {
  detect: 'noticed the problem',
  diagnose: 'found the root cause',
  mitigate: 'stopped the impact',
  recover: 'the service was healthy again',
};

function sentence(m: Measure): string {
  const what = PLAIN[m.key]!;
  const subject = m.key === 'recover' ? '' : 'The team ';
  if (!m.applicable) return `${m.label}: not measured (${h(m.note ?? 'not applicable')}).`;
  if (m.ms === undefined && m.cutShort) return `${m.label}: not reached (${m.note ?? 'the drill stopped first'}).`;
  if (m.ms === undefined) return `${subject}${m.key === 'recover' ? 'The service was not healthy again before the end' : `did not record that it ${what}`}${m.objectiveMs !== undefined ? ` (goal: ${fmt(m.objectiveMs)})` : ''}.`;
  const when = m.key === 'recover' ? `${m.note === 'steady state never broke' ? 'The service stayed healthy throughout' : `After ${fmt(m.ms)}, ${what}`}` : `${subject}${what} after ${fmt(m.ms)}`;
  return `${when}${m.objectiveMs !== undefined ? ` — the goal was ${fmt(m.objectiveMs)}` : ''}.`;
}

export function renderHtml(s: DrillSummary): string {
  const badge = s.passed ? ['#1a7f37', 'Objectives met'] : ['#b42318', s.endReason === 'completed' ? 'Objectives not met' : outcome(s).replace(/^./, (c) => c.toUpperCase())];
  const rows = s.measures
    .map((m) => {
      const state = !m.applicable || m.objectiveMs === undefined ? ['#667085', m.applicable ? 'no goal' : 'n/a'] : m.met ? ['#1a7f37', 'met'] : m.cutShort ? ['#667085', 'not reached'] : ['#b42318', 'missed'];
      return `<tr><td>${h(m.label)}</td><td>${fmt(m.ms)}</td><td>${fmt(m.objectiveMs)}</td><td><span class="pill" style="background:${state[0]}">${state[1]}</span></td><td>${h(sentence(m))}</td></tr>`;
    })
    .join('\n');
  const timeline = s.timeline
    .map((t) => `<li class="${t.kind}${t.ok === false ? ' bad' : t.ok === true ? ' good' : ''}"><time>${h(offset(t.offsetMs))}</time> ${h(t.text)}</li>`)
    .join('\n');
  const faults = s.faults.length
    ? `<h2>What we broke</h2><table><tr><th>Target</th><th>Kind</th><th>Status</th></tr>${s.faults.map((f) => `<tr><td>${h(f.target)}</td><td>${h(f.kind)}</td><td>${h(f.status)}${f.reversible ? '' : ' (one-shot)'}</td></tr>`).join('')}</table>`
    : `<h2>What we broke</h2><p>${s.tabletop ? 'Nothing: this was a tabletop exercise.' : 'Nothing was injected.'}</p>`;
  const open = openDrillWarning(s);
  const d = s.debrief;
  const debrief = d
    ? `<h2>Debrief</h2><dl><dt>What went well</dt><dd>${h(d.wentWell ?? '—')}</dd><dt>What was hard</dt><dd>${h(d.hard ?? '—')}</dd><dt>Gaps found</dt><dd>${h(d.gaps ?? '—')}</dd></dl>
<h3>Action items</h3>${d.actionItems.length ? `<table><tr><th>Action</th><th>Owner</th></tr>${d.actionItems.map((a) => `<tr><td>${h(a.task)}</td><td>${h(a.owner ?? 'unassigned')}</td></tr>`).join('')}</table>` : '<p>None recorded.</p>'}${d.closedItems.length ? `<h3>Done since an earlier drill</h3><ul>${d.closedItems.map((t) => `<li>${h(t)}</li>`).join('')}</ul>` : ''}`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Game day report: ${h(s.title ?? s.scenario ?? s.drillId)}</title>
<style>
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#101828;max-width:880px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.7rem;margin-bottom:.2rem} h2{margin-top:2rem;border-bottom:1px solid #eaecf0;padding-bottom:.3rem}
.meta{color:#475467} .score{font-size:3rem;font-weight:700;margin:.5rem 0} .pill{color:#fff;border-radius:999px;padding:.1rem .6rem;font-size:.85rem}
.banner{display:flex;gap:1.5rem;align-items:center;background:#f9fafb;border:1px solid #eaecf0;border-radius:12px;padding:1rem 1.5rem;margin:1rem 0}
table{border-collapse:collapse;width:100%;margin:.5rem 0} td,th{border-bottom:1px solid #eaecf0;padding:.45rem;text-align:left;vertical-align:top}
ol.timeline{list-style:none;padding:0} ol.timeline li{padding:.3rem 0 .3rem .8rem;border-left:3px solid #d0d5dd;margin-left:.3rem}
ol.timeline li.bad{border-color:#b42318} ol.timeline li.good{border-color:#1a7f37} ol.timeline li.hint,ol.timeline li.mark{border-color:#1570ef}
time{font-family:ui-monospace,Menlo,monospace;color:#475467;margin-right:.5rem} dt{font-weight:600;margin-top:.6rem} dd{margin-left:0}
figure.glance{margin:1rem 0} @media print{figure.glance{break-inside:avoid}}
footer{margin-top:2.5rem;color:#667085;font-size:.85rem} .warn{background:#fffaeb;border:1px solid #fedf89;border-radius:8px;padding:.6rem .9rem}
</style></head>
<body>
<h1>${h(s.title ?? s.scenario ?? s.drillId)}</h1>
<p class="meta">Game day drill on <b>${h(s.env ?? '?')}</b>, ${h(s.startedAt ? new Date(s.startedAt).toUTCString() : '?')}${s.durationMs !== undefined ? `, lasting ${fmt(s.durationMs)}` : ''} — ${h(END_WORDS[s.endReason ?? ''] ?? 'no end recorded')}${s.endReason && s.endReason !== 'completed' && s.endDetail ? `: ${h(s.endDetail)}` : ''}.</p>${open ? `\n<p class="warn"><b>No end recorded.</b> ${h(open)}</p>` : ''}
<div class="banner"><div><div class="score">${s.score}<small style="font-size:1.2rem;color:#667085">/100</small></div><span class="pill" style="background:${badge[0]}">${badge[1]}</span></div>
<div><p>${s.measures.filter((m) => m.applicable).map((m) => h(sentence(m))).join('<br>')}</p><p>Hints used: <b>${s.hintsUsed}</b>${s.hintCount !== undefined ? ` of ${s.hintCount}` : ''}.${s.steadyAtEnd === undefined ? '' : s.steadyAtEnd ? ' At the end, everything was healthy.' : ' <b>At the end, the service was still unhealthy.</b>'}</p></div></div>
<h2>How the team did</h2>
<table><tr><th>Measure</th><th>Time</th><th>Goal</th><th></th><th>In plain words</th></tr>
${rows}</table>
<p class="meta">${h(clockZero(s))}</p>
${faults}
${checklistHtml(s)}
<h2>Timeline</h2>
<figure class="glance">${timelineSvg(s)}<figcaption class="meta">Faults (orange), probes (green healthy, red broken), hints (blue), the team's marks (purple) and the goals (dashed), from the moment the failure began.</figcaption></figure>
<ol class="timeline">
${timeline}
</ol>
${debrief}
<footer>Drill ${h(s.drillId)} · score = 100 × the mean credit of the goals that apply (full credit within the goal, none at twice the goal or never) − 5 per hint · generated by gameday from the drill's journal.</footer>
</body></html>
`;
}

function checklistHtml(s: DrillSummary): string {
  if (!s.steps.length) return '';
  const rows = s.steps.map((st) => `<tr><td>${st.index + 1}. ${h(st.step)}</td><td>${fmt(st.targetMs)}</td><td>${fmt(st.ms)}</td><td><span class="pill" style="background:${st.late ? '#b42318' : '#1a7f37'}">${h(stepVerdict(st))}</span></td></tr>`);
  return `<h2>Checklist</h2><table><tr><th>Step</th><th>Target</th><th>Done at</th><th></th></tr>${rows.join('')}</table><p class="meta">Checklist times count from the start of the drill.</p>`;
}
