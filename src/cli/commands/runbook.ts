/**
 * `gameday runbook <scenario | runbooks/file.md#anchor>`: the runbook section a scenario links to
 * (or any section), formatted for the terminal — what the players read, without the tool's help.
 * The same section the live panel's `r` shows (src/drill/runbook.ts finds it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readRegularFile } from '../../adapters/regular-file.js';
import { MAX_RUNBOOK_BYTES } from '../../drill/scenario-store.js';
import { GamedayError } from '../../core/errors.js';
import { markdownToText } from '../../core/markdown-text.js';
import { markdownAnchors } from '../../core/scenario-check.js';
import { runbookSection } from '../../drill/runbook.js';
import { loadScenario } from '../../drill/scenario-file.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint } from '../output.js';

/** A runbook reference as written (`runbooks/x.md#a`), or the one a scenario links. */
async function resolveRef(arg: string, dir: string, cwd: string): Promise<{ ref: string; root: string; from?: string }> {
  if (/\.md(#|$)/i.test(arg)) return { ref: arg, root: cwd };
  const { scenario, root } = await loadScenario(arg, { dir, cwd });
  if (!scenario.runbook) throw new GamedayError('NOT_FOUND', `scenario ${scenario.id} links no runbook`, { hint: 'add runbook: runbooks/<file>.md#<heading> to the scenario' });
  return { ref: scenario.runbook, root, from: scenario.id };
}

/** reads scenarios and runbooks only, never gameday.yaml (see main.ts) */
export const configFree = true;

export const run: CommandRun = async (ctx, args, opts) => {
  const { ref, root, from } = await resolveRef(args[0]!, String(opts.dir ?? 'scenarios'), ctx.cwd);
  const [path, anchor] = ref.split('#') as [string, string | undefined];
  const file = join(root, path);
  if (!existsSync(file)) throw new GamedayError('NOT_FOUND', `runbook ${file} does not exist${from ? ` (linked by scenario ${from})` : ''}`, { hint: 'gameday validate lists every broken runbook link' });
  const markdown = readRegularFile(file, { what: 'runbook', maxBytes: MAX_RUNBOOK_BYTES }).toString('utf8');
  if (anchor && !markdownAnchors(markdown).includes(anchor)) {
    throw new GamedayError('NOT_FOUND', `runbook ${path} has no heading #${anchor}`, { hint: `headings: ${markdownAnchors(markdown).map((a) => `#${a}`).join(', ')}` });
  }
  const p = paint(ctx.out.color);
  ctx.out.line(p.dim(`${ref}${from ? `  (scenario ${from})` : ''}`));
  ctx.out.line();
  for (const l of markdownToText(runbookSection(markdown, anchor), p)) ctx.out.line(l);
  return EXIT.ok;
};
