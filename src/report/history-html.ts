/**
 * `gameday history --format html`: are we getting faster? Per scenario, the times to detect,
 * diagnose, mitigate and recover across its drills as small inline SVG charts (oldest left), each
 * scenario objective a dashed line; then the debriefs' action items with their owners. One
 * self-contained page (no scripts, fonts or requests), readable printed.
 */
import { formatDuration } from '../core/duration.js';
import { itemsByScenario, type HistoryRow, type TrackedActionItem } from '../core/history.js';
import { MEASURE_LABEL, MEASURES, type MeasureKey } from '../core/summary.js';

const h = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '?');

const W = 250;
const H = 120;
const PAD = { left: 46, right: 10, top: 12, bottom: 20 };

/** One measure across a scenario's drills: a line through the times, the objective dashed. */
export function trendChart(rows: readonly HistoryRow[], key: MeasureKey): string {
  const points = rows.map((r, i) => ({ i, ms: r.times[key], row: r }));
  const objective = rows.map((r) => r.objectives[key]).filter((o): o is number => o !== undefined).at(-1);
  const known = points.filter((p): p is typeof p & { ms: number } => p.ms !== undefined);
  if (!known.length && objective === undefined) return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${h(MEASURE_LABEL[key])}: no data"><text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="11" fill="#667085">not measured</text></svg>`;
  const max = Math.max(1000, ...known.map((p) => p.ms), objective ?? 0) * 1.15;
  const x = (i: number) => PAD.left + (rows.length <= 1 ? (W - PAD.left - PAD.right) / 2 : (i / (rows.length - 1)) * (W - PAD.left - PAD.right));
  const y = (ms: number) => PAD.top + (1 - ms / max) * (H - PAD.top - PAD.bottom);
  const line = known.length > 1 ? `<polyline fill="none" stroke="#1570ef" stroke-width="2" points="${known.map((p) => `${x(p.i).toFixed(1)},${y(p.ms).toFixed(1)}`).join(' ')}"/>` : '';
  const dots = known.map((p) => `<circle data-drill="${h(p.row.drillId)}" cx="${x(p.i).toFixed(1)}" cy="${y(p.ms).toFixed(1)}" r="3.5" fill="${objective !== undefined && p.ms > objective ? '#d92d20' : '#1570ef'}"><title>${h(`${day(p.row.startedAt)}: ${formatDuration(p.ms)}`)}</title></circle>`);
  const goal = objective === undefined ? '' : `<g data-objective="${key}"><line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(objective).toFixed(1)}" y2="${y(objective).toFixed(1)}" stroke="#667085" stroke-dasharray="4 3"/><text x="${PAD.left - 4}" y="${(y(objective) + 3).toFixed(1)}" font-size="10" text-anchor="end" fill="#667085">${h(formatDuration(objective))}</text></g>`;
  const axis = `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#d0d5dd"/><text x="${PAD.left}" y="${H - 6}" font-size="10" fill="#667085">${h(day(rows[0]?.startedAt))}</text><text x="${W - PAD.right}" y="${H - 6}" font-size="10" text-anchor="end" fill="#667085">${h(day(rows.at(-1)?.startedAt))}</text>`;
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${h(MEASURE_LABEL[key])} across ${rows.length} drills" style="font-family:system-ui,sans-serif">${axis}${goal}${line}${dots.join('')}</svg>`;
}

function scenarioSection(scenario: string, rows: readonly HistoryRow[]): string {
  const title = rows.at(-1)?.title ?? scenario;
  const charts = MEASURES.map((k) => `<figure><figcaption>${h(MEASURE_LABEL[k])}</figcaption>${trendChart(rows, k)}</figure>`).join('');
  const results = rows.map((r) => `<span class="pill ${r.outcome === 'passed' ? 'ok' : 'bad'}" title="${h(r.drillId)}">${h(day(r.startedAt))} · ${h(r.outcome)} · ${r.score}</span>`).join(' ');
  return `<section><h2>${h(title)} <small>${h(scenario)} · ${rows.length} drill${rows.length === 1 ? '' : 's'}</small></h2><div class="charts">${charts}</div><p class="results">${results}</p></section>`;
}

/** Per scenario, the open items (with owners) first, then those a later debrief closed. */
function actionItemsTable(items: readonly TrackedActionItem[]): string {
  if (!items.length) return '<p>None recorded.</p>';
  const row = (a: TrackedActionItem, scenario: string) => {
    const status = a.closedBy ? `<span class="pill ok" title="${h(a.closedBy.drillId)}">closed ${h(day(a.closedBy.startedAt))}</span>` : '<span class="pill bad">open</span>';
    return `<tr class="${a.closedBy ? 'closed' : 'open'}"><td>${h(scenario)}</td><td>${status}</td><td>${h(a.task)}</td><td>${a.owner ? h(a.owner) : '<span class="warn">unassigned</span>'}</td><td title="${h(a.drillId)}">${h(day(a.startedAt))}</td></tr>`;
  };
  const body = itemsByScenario(items).flatMap((g) => [...g.open, ...g.closed].map((a) => row(a, g.scenario)));
  return `<table><tr><th>Scenario</th><th>Status</th><th>Action</th><th>Owner</th><th>Raised</th></tr>${body.join('')}</table>
<p class="meta">An item is closed when the debrief of a later drill of the same scenario said it is done.</p>`;
}

export function renderHistoryHtml(rows: readonly HistoryRow[], items: readonly TrackedActionItem[]): string {
  const byScenario = new Map<string, HistoryRow[]>();
  for (const r of rows) if (r.scenario) byScenario.set(r.scenario, [...(byScenario.get(r.scenario) ?? []), r]);
  const sections = [...byScenario].sort(([a], [b]) => a.localeCompare(b)).map(([s, rs]) => scenarioSection(s, rs));
  const actions = actionItemsTable(items);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Game day history</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#101828;max-width:1120px;margin:2rem auto;padding:0 1rem}
h2{margin-top:2rem;border-bottom:1px solid #eaecf0;padding-bottom:.3rem} h2 small{color:#667085;font-weight:400;font-size:.9rem}
.charts{display:flex;flex-wrap:wrap;gap:12px} figure{margin:0;border:1px solid #eaecf0;border-radius:10px;padding:6px 8px} figcaption{font-size:.85rem;color:#475467}
.pill{display:inline-block;border-radius:999px;padding:.05rem .6rem;font-size:.8rem;color:#fff;margin:.15rem 0} .pill.ok{background:#1a7f37} .pill.bad{background:#b42318}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #eaecf0;padding:.4rem;text-align:left} .warn{color:#b54708}
section{break-inside:avoid} .meta{color:#475467} tr.closed td{color:#667085}
</style></head><body>
<h1>Game day history</h1>
<p class="meta">${rows.length} drill${rows.length === 1 ? '' : 's'}. Each chart: one scenario's time for one measure, drill by drill (oldest left); the dashed line is the objective; a red dot missed it.</p>
${sections.join('\n') || '<p>No drills of a scenario yet.</p>'}
<h2>Action items from the debriefs</h2>
${actions}
<footer class="meta">Generated by gameday from the drills' journals.</footer>
</body></html>
`;
}
