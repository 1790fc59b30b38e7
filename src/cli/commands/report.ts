/**
 * `gameday report <drill-id> [--format md|html|json|junit|pdf] [--out FILE]`: from the journal alone;
 * loads no client. `pdf` is the HTML report printed by the machine's Chromium (adapters/chromium-pdf.ts).
 */
import { writeReport } from '../report-file.js';
import { resolve } from 'node:path';
import { GamedayError } from '../../core/errors.js';
import { parseFormat, renderReport } from '../../report/index.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { stateOf } from '../state.js';

export const run: CommandRun = async (ctx, args, opts) => {
  const drillId = args[0];
  if (!drillId) throw new GamedayError('INVALID_INPUT', 'missing drill id', { hint: 'see `gameday status` for the drill ids' });
  const pdf = String(opts.format) === 'pdf';
  const format = pdf ? 'html' : parseFormat(String(opts.format ?? 'md'));
  if (pdf && !opts.out) throw new GamedayError('INVALID_INPUT', '--format pdf writes a file: add --out FILE.pdf');
  const store = stateOf(ctx).journals;
  const { events, problems } = store.read(drillId);
  for (const p of problems) ctx.out.error(`warning: ${p.file}:${p.line}: ${p.message}`);
  const text = renderReport(events, format);
  if (opts.out) {
    const file = resolve(ctx.cwd, String(opts.out));
    if (pdf) await (await import('../../adapters/chromium-pdf.js')).printPdf(text, file, ctx.signal);
    else writeReport(file, text);
    ctx.out.error(`wrote ${file}`);
  } else ctx.out.write(text);
  return EXIT.ok;
};
