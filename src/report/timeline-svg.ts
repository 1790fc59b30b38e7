/**
 * The drill at a glance, as an inline SVG for the HTML report: each fault's window, each probe's
 * healthy/broken bands, the hints, the team's marks and the objectives as deadlines, on one time
 * axis counted from the moment the failure began. Self-contained (no scripts, fonts or external
 * requests) and readable printed. Every drawn marker carries `data-event` (the journal event kind
 * it stands for), so tests count them against the journal.
 */
import { formatDuration } from '../core/duration.js';
import type { DrillSummary, TimelineEntry } from '../core/summary.js';

const WIDTH = 880;
const LABEL_W = 190;
/** characters of a row label that fit in LABEL_W at 12 px (the whole label is in its tooltip) */
const LABEL_CHARS = 27;
const ROW_H = 26;
const PAD = 14;
const COLOURS = { fault: '#f79009', healthy: '#12b76a', broken: '#d92d20', hint: '#1570ef', mark: '#7a5af8', objective: '#667085', axis: '#98a2b3' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Scale {
  x(ms: number): number;
  from: number;
  to: number;
}

function scaleOf(s: DrillSummary): Scale {
  const offsets = s.timeline.map((t) => t.offsetMs);
  const objectives = s.measures.map((m) => m.objectiveMs ?? 0);
  const from = Math.min(0, ...offsets);
  const to = Math.max(from + 1000, ...offsets, ...objectives);
  const span = to - from;
  return { from, to, x: (ms) => LABEL_W + ((ms - from) / span) * (WIDTH - LABEL_W - PAD) };
}

/** Steps a reader counts in (1 s … 6 h): ticks land on whole minutes, not on "+1m40s". */
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600].map((s) => s * 1000);

/** The smallest readable step giving at most about 8 ticks. */
function ticks(from: number, to: number): number[] {
  const raw = (to - from) / 8;
  const step = TICK_STEPS.find((v) => v >= raw) ?? Math.ceil(raw / 21_600_000) * 21_600_000;
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}

const label = (y: number, text: string) => {
  const shown = text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text;
  return `<text x="${PAD}" y="${y + ROW_H / 2 + 4}" font-size="12" fill="#344054">${shown === text ? '' : title(text)}${esc(shown)}</text>`;
};
const title = (text: string) => `<title>${esc(text)}</title>`;

/** Where bands stop: the drill's end (an objective further right widens the axis, not the drill). */
const endOf = (s: DrillSummary, sc: Scale): number => s.timeline.find((t) => t.kind === 'end')?.offsetMs ?? sc.to;

function faultRows(s: DrillSummary, sc: Scale, y0: number): string[] {
  const end = endOf(s, sc);
  return s.faults.map((f, i) => {
    const y = y0 + i * ROW_H;
    const start = s.timeline.find((t) => t.kind === 'fault' && t.subject === f.faultId && t.ok !== false);
    const stop = s.timeline.find((t) => t.kind === 'revert' && t.subject === f.faultId);
    if (!start) return label(y, f.target);
    const x1 = sc.x(start.offsetMs);
    // a one-shot fault (a pod killed, a failover forced) is a moment, not a window: a narrow mark
    const x2 = f.reversible ? sc.x(stop?.offsetMs ?? end) : x1 + 6;
    const what = !f.reversible ? 'one-shot' : stop ? `reverted after ${formatDuration(stop.offsetMs - start.offsetMs)}` : 'active at the end';
    return `${label(y, f.target)}<rect data-event="fault-injected" x="${x1.toFixed(1)}" y="${y + 5}" width="${Math.max(2, x2 - x1).toFixed(1)}" height="${ROW_H - 10}" rx="3" fill="${COLOURS.fault}">${title(`${f.kind} on ${f.target}: ${what}`)}</rect>`;
  });
}

function probeRows(s: DrillSummary, sc: Scale, y0: number): string[] {
  return s.probes.map((p, i) => {
    const y = y0 + i * ROW_H;
    const changes = s.timeline.filter((t): t is TimelineEntry & { ok: boolean } => t.kind === 'probe' && t.subject === p.name && t.ok !== undefined);
    const bands = changes.map((c, j) => {
      const x1 = sc.x(c.offsetMs);
      const x2 = sc.x(changes[j + 1]?.offsetMs ?? Math.max(c.offsetMs, endOf(s, sc)));
      return `<rect data-event="probe-result" x="${x1.toFixed(1)}" y="${y + 8}" width="${Math.max(1, x2 - x1).toFixed(1)}" height="${ROW_H - 16}" fill="${c.ok ? COLOURS.healthy : COLOURS.broken}">${title(c.text)}</rect>`;
    });
    return `${label(y, `probe ${p.name}`)}${bands.join('')}`;
  });
}

function markerRow(entries: TimelineEntry[], sc: Scale, y: number, event: string, colour: string, name: string): string {
  const marks = entries.map((e) => {
    const x = sc.x(e.offsetMs);
    const cy = y + ROW_H / 2;
    return `<path data-event="${event}" d="M${x.toFixed(1)} ${cy - 7}l7 7l-7 7l-7-7z" fill="${colour}">${title(`${formatDuration(Math.max(0, e.offsetMs))}: ${e.text}`)}</path>`;
  });
  return `${label(y, name)}${marks.join('')}`;
}

/**
 * The objectives as dashed deadlines. Their labels sit above the chart on two alternating lines (in
 * the order of their deadlines), so neighbours such as "recover ≤ 10m" and "mitigate ≤ 12m" do not
 * overprint; a label near an edge is anchored inside the picture.
 */
function objectiveLines(s: DrillSummary, sc: Scale, top: number, bottom: number): string[] {
  return s.measures
    .filter((m) => m.objectiveMs !== undefined && m.applicable)
    .sort((a, b) => a.objectiveMs! - b.objectiveMs!)
    .map((m, i) => {
      const x = sc.x(m.objectiveMs!);
      const anchor = x > WIDTH - PAD - 50 ? 'end' : x < LABEL_W + 50 ? 'start' : 'middle';
      const y = top - 4 - (i % 2) * 12;
      return `<g data-objective="${m.key}"><line x1="${x.toFixed(1)}" y1="${top}" x2="${x.toFixed(1)}" y2="${bottom}" stroke="${COLOURS.objective}" stroke-dasharray="4 3"/><text x="${x.toFixed(1)}" y="${y}" font-size="10" text-anchor="${anchor}" fill="${COLOURS.objective}">${esc(m.key)} ≤ ${esc(formatDuration(m.objectiveMs!))}</text></g>`;
    });
}

function axis(sc: Scale, y: number): string {
  const marks = ticks(sc.from, sc.to).map((t) => {
    const x = sc.x(t).toFixed(1);
    const anchor = sc.x(t) > WIDTH - PAD - 25 ? 'end' : 'middle'; // the last tick's label stays inside the picture
    return `<line x1="${x}" y1="${y}" x2="${x}" y2="${y + 5}" stroke="${COLOURS.axis}"/><text x="${x}" y="${y + 17}" font-size="10" text-anchor="${anchor}" fill="#475467">${t < 0 ? '-' : '+'}${esc(formatDuration(Math.abs(t)))}</text>`;
  });
  return `<line x1="${LABEL_W}" y1="${y}" x2="${WIDTH - PAD}" y2="${y}" stroke="${COLOURS.axis}"/>${marks.join('')}`;
}

export function timelineSvg(s: DrillSummary): string {
  const sc = scaleOf(s);
  const top = 34; // room for two lines of objective labels
  let y = top;
  const parts: string[] = [];
  parts.push(...faultRows(s, sc, y));
  y += s.faults.length * ROW_H;
  parts.push(...probeRows(s, sc, y));
  y += s.probes.length * ROW_H;
  parts.push(markerRow(s.timeline.filter((t) => t.kind === 'hint'), sc, y, 'hint-revealed', COLOURS.hint, 'hints'));
  y += ROW_H;
  parts.push(markerRow(s.timeline.filter((t) => t.kind === 'mark'), sc, y, 'mark', COLOURS.mark, 'team marks'));
  y += ROW_H;
  const zero = sc.x(0).toFixed(1);
  const frame = `<line x1="${zero}" y1="${top}" x2="${zero}" y2="${y}" stroke="#101828" stroke-width="1.5"><title>the failure began</title></line>`;
  const height = y + 28;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Drill timeline" viewBox="0 0 ${WIDTH} ${height}" width="100%" style="max-width:${WIDTH}px;font-family:system-ui,sans-serif">${parts.join('')}${objectiveLines(s, sc, top, y).join('')}${frame}${axis(sc, y + 4)}</svg>`;
}
