/**
 * `gameday history [--scenario ID] [--env E] [--adhoc] [--json | --format text|json|html] [--out FILE]`: every drill so far, from the
 * journals alone (loads no client) — result, score and the team's times — then, per scenario run
 * twice or more, first → last (best) time of each measure, and the debriefs' action items per
 * scenario with their owners: open, or closed by a later drill of the scenario whose debrief said
 * it is done (the facilitated debrief asks; see core/history.ts for why passing a drill is not enough).
 */
import { resolve } from 'node:path';
import { formatDuration } from '../../core/duration.js';
import { GamedayError } from '../../core/errors.js';
import { renderHistoryHtml } from '../../report/history-html.js';
import { writeReport } from '../report-file.js';
import { actionItems, history, itemsByScenario, trends, type HistoryRow, type TrackedActionItem } from '../../core/history.js';
import { MEASURES, summarize } from '../../core/summary.js';
import type { CommandContext, CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint } from '../output.js';
import { stateOf } from '../state.js';
import { table } from '../table.js';

const when = (iso: string | undefined): string => (iso ? iso.slice(0, 16).replace('T', ' ') : '?');
const time = (ms: number | undefined): string => (ms === undefined ? '—' : formatDuration(ms));

export const run: CommandRun = async (ctx, _args, opts) => {
  const format = opts.json ? 'json' : String(opts.format ?? 'text');
  if (!['text', 'json', 'html'].includes(format)) throw new GamedayError('INVALID_INPUT', `unknown history format "${format.slice(0, 20)}"`, { hint: 'use one of: text, json, html' });
  const { journals } = stateOf(ctx);
  const p = paint(ctx.out.color);
  const scan = journals.scan();
  const reads = scan.ids.map((id) => journals.readSafely(id));
  for (const pr of [...scan.problems, ...reads.flatMap((r) => r.problems)]) ctx.out.error(p.yellow(`warning: ${pr.file}${pr.line > 0 ? `:${pr.line}` : ''}: ${pr.message}`));
  const summaries = reads.filter((r) => r.events.length > 0).map((r) => summarize(r.events));
  const rows = history(summaries, {
    ...(opts.scenario ? { scenario: String(opts.scenario) } : {}),
    ...(opts.env ? { env: String(opts.env) } : {}),
    includeAdhoc: Boolean(opts.adhoc),
  });
  const trend = trends(rows);
  const items = actionItems(rows);
  if (format === 'json') {
    ctx.out.line(JSON.stringify({ drills: rows, trends: trend, actionItems: items }, null, 2));
    return EXIT.ok;
  }
  if (format === 'html') {
    const html = renderHistoryHtml(rows, items);
    if (!opts.out) {
      ctx.out.write(html);
      return EXIT.ok;
    }
    const file = resolve(ctx.cwd, String(opts.out));
    writeReport(file, html);
    ctx.out.error(`wrote ${file}`);
    return EXIT.ok;
  }
  if (rows.length === 0) {
    ctx.out.line('no drills yet: start one with `gameday run <scenario> --env <name>`');
    return EXIT.ok;
  }
  const result = (r: HistoryRow): string => (r.outcome === 'passed' ? p.green('passed') : r.outcome === 'missed' ? p.red('missed') : p.yellow(r.endReason ?? r.outcome));
  ctx.out.line(
    table(
      ['STARTED (UTC)', 'SCENARIO', 'ENV', 'MODE', 'RESULT', 'SCORE', ...MEASURES.map((m) => m.toUpperCase()), 'HINTS', 'DRILL'],
      rows.map((r) => [when(r.startedAt), r.scenario ?? '(ad hoc)', r.env ?? '?', r.mode ?? '?', result(r), String(r.score), ...MEASURES.map((m) => time(r.times[m])), String(r.hintsUsed), r.drillId]),
    ),
  );
  if (trend.length) {
    ctx.out.line();
    ctx.out.line(p.bold('Getting faster? (completed drills of a scenario, first → last, best)'));
    for (const t of trend) {
      const arrow = t.lastMs < t.firstMs ? p.green('faster') : t.lastMs > t.firstMs ? p.red('slower') : 'same';
      ctx.out.line(`  ${t.scenario}  ${t.measure}: ${time(t.firstMs)} → ${time(t.lastMs)} (best ${time(t.bestMs)}) over ${t.drills} drills — ${arrow}`);
    }
  }
  printActionItems(ctx, p, items);
  return EXIT.ok;
};

/** Per scenario, the open items with their owners, then those a later debrief closed (and when). */
function printActionItems(ctx: CommandContext, p: ReturnType<typeof paint>, items: readonly TrackedActionItem[]): void {
  if (!items.length) return;
  ctx.out.line();
  ctx.out.line(p.bold('Action items from the debriefs (open, then closed; newest first)'));
  const owner = (a: TrackedActionItem) => (a.owner ? `  @${a.owner}` : p.yellow('  (no owner)'));
  for (const g of itemsByScenario(items)) {
    ctx.out.line(`  ${g.scenario}`);
    for (const a of g.open) ctx.out.line(`    ${p.yellow('open  ')}  ${a.task}${owner(a)}  (${when(a.startedAt).slice(0, 10)})`);
    for (const a of g.closed) ctx.out.line(`    ${p.green('closed')}  ${a.task}${owner(a)}  (${when(a.startedAt).slice(0, 10)}; done by the drill of ${when(a.closedBy!.startedAt).slice(0, 10)}, ${a.closedBy!.drillId})`);
  }
}
