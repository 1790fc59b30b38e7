/** The runbook section a scenario links to, for the `r` key: the heading and what follows it, up to the next heading of the same or a higher level. */
import { existsSync } from 'node:fs';
import { readRegularFile } from '../adapters/regular-file.js';
import { MAX_RUNBOOK_BYTES } from './scenario-store.js';
import { join } from 'node:path';
import { headingAnchor } from '../core/scenario-check.js';

export function runbookSection(markdown: string, anchor: string | undefined): string[] {
  const lines = markdown.split('\n');
  if (!anchor) return lines;
  let start = -1;
  let level = 0;
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    if (start < 0 && headingAnchor(m[2]!) === anchor) {
      start = i;
      level = m[1]!.length;
    } else if (start >= 0 && m[1]!.length <= level) return trim(lines.slice(start, i));
  }
  return start < 0 ? lines : trim(lines.slice(start));
}

const trim = (ls: string[]) => {
  while (ls.length && ls[ls.length - 1]!.trim() === '') ls.pop();
  return ls;
};

export function readRunbook(root: string, ref: string | undefined): { path?: string; lines: string[] } {
  if (!ref) return { lines: ['This scenario links no runbook.'] };
  const [path, anchor] = ref.split('#') as [string, string | undefined];
  const file = join(root, path);
  if (!existsSync(file)) return { path: file, lines: [`Runbook not found: ${file}`] };
  try {
    return { path: file, lines: runbookSection(readRegularFile(file, { what: 'runbook', maxBytes: MAX_RUNBOOK_BYTES }).toString('utf8'), anchor) };
  } catch (e) {
    // a runbook that is a directory, a FIFO or too big must not stop a live drill
    return { path: file, lines: [`Runbook not readable: ${(e as Error).message.split('\n')[0]}`] };
  }
}
