/**
 * Report renderers: one per format, each a pure function of the drill's summary (itself a pure
 * function of the journal). No external dependencies; the HTML is one self-contained file.
 */
import type { DrillEvent } from '../core/events.js';
import { GamedayError } from '../core/errors.js';
import { summarize, type DrillSummary } from '../core/summary.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

export const REPORT_FORMATS = ['md', 'html', 'json', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const renderers = {
  md: renderMarkdown,
  html: renderHtml,
  json: renderJson,
  junit: renderJunit,
} satisfies Record<ReportFormat, (s: DrillSummary) => string>;

export function renderReport(events: readonly DrillEvent[], format: ReportFormat): string {
  return renderers[format](summarize(events));
}

export function parseFormat(f: string): ReportFormat {
  const norm = f === 'markdown' ? 'md' : f === 'xml' ? 'junit' : f;
  if ((REPORT_FORMATS as readonly string[]).includes(norm)) return norm as ReportFormat;
  throw new GamedayError('INVALID_INPUT', `unknown report format "${f}"`, { hint: `use one of: ${REPORT_FORMATS.join(', ')} (or pdf: gameday report ID --format pdf --out FILE.pdf)` });
}

/** report.html → html, report.xml → junit… */
export function formatFromFile(file: string): ReportFormat {
  const ext = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  if (ext === 'md' || ext === 'markdown') return 'md';
  if (ext === 'html' || ext === 'htm') return 'html';
  if (ext === 'json') return 'json';
  if (ext === 'xml') return 'junit';
  throw new GamedayError('INVALID_INPUT', `cannot tell the report format from "${file}"`, { hint: 'end the file name in .md, .html, .json or .xml' });
}
