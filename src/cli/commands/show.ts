import { readRegularFile } from '../../adapters/regular-file.js';
import { MAX_RUNBOOK_BYTES } from '../../drill/scenario-store.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario } from '../../drill/scenario-file.js';
import { formatDuration } from '../../core/duration.js';
import { own } from '../../core/text.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint } from '../output.js';

/** The facilitator's view: everything in the scenario, including what players must not see. */
/** reads scenarios and runbooks only, never gameday.yaml (see main.ts) */
export const configFree = true;

export const run: CommandRun = async (ctx, args, opts) => {
  const { scenario: s, root, kinds } = await loadScenario(args[0]!, { dir: String(opts.dir ?? 'scenarios'), cwd: ctx.cwd });
  const p = paint(ctx.out.color);
  const o = ctx.out;
  o.line(`${p.bold(s.title)}  ${p.dim(`(${s.id}, ${s.difficulty}${s.tags.length ? `, ${s.tags.join(', ')}` : ''})`)}`);
  o.line();
  o.line(p.yellow('FACILITATOR ONLY — what breaks and why'));
  o.line(indent(s.summary));
  o.line();
  o.line(p.cyan('Briefing (read to the players)'));
  o.line(indent(s.briefing));
  o.line();
  o.line(p.bold('Faults'));
  if (s.faults.length === 0) o.line('  none: a tabletop drill (gameday keeps the clock, hints and marks)');
  s.faults.forEach((f, i) => {
    const inj = own(kinds, f.kind);
    const target = Object.entries(f.target).map(([k, v]) => `${k}=${v}`).join(',');
    const params = Object.entries(f.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
    o.line(`  ${i + 1}. ${f.kind} ${target}${params ? ` ${params}` : ''}${f.at ? ` at +${formatDuration(f.at)}` : ''}`);
    o.line(`     ${inj?.reversible ? `reversible, lasts ${f.duration ? formatDuration(f.duration) : 'the environment default'}` : 'one-shot (nothing to revert)'}${inj?.nodeImpact ? ', node-level' : ''}`);
  });
  o.line();
  o.line(p.bold('Steady state'));
  if (s.steadyState.length === 0) o.line('  no probes: the team marks recovery by hand');
  for (const pr of s.steadyState) o.line(`  - ${pr.name} (${pr.type})`);
  o.line();
  o.line(p.bold('Hints'));
  s.hints.forEach((h, i) => o.line(`  ${i + 1}. ${h.after !== undefined ? `[after ${formatDuration(h.after)}] ` : '[on demand] '}${h.text}`));
  o.line();
  if (s.checklist.length) {
    o.line(p.bold('Checklist') + p.dim('  (press c in the live panel as each step is done)'));
    s.checklist.forEach((c, i) => o.line(`  ${i + 1}. ${c.target === undefined ? '' : `[by ${formatDuration(c.target)}] `}${c.step}`));
    o.line();
  }
  o.line(p.bold('Objectives'));
  const obj = s.objectives;
  const objLines = (['detectWithin', 'diagnoseWithin', 'mitigateWithin', 'recoverWithin'] as const).filter((k) => obj[k] !== undefined).map((k) => `  ${k.replace('Within', '')} within ${formatDuration(obj[k]!)}`);
  o.line(objLines.length ? objLines.join('\n') : '  none');
  if (s.runbook) {
    const candidate = join(root, s.runbook.split('#')[0]!);
    const path = existsSync(candidate) ? candidate : undefined;
    o.line();
    o.line(`${p.bold('Runbook')}: ${s.runbook}${path ? '' : p.red(' (missing)')}`);
    if (path && opts.runbook) o.line(readRegularFile(path, { what: 'runbook', maxBytes: MAX_RUNBOOK_BYTES }).toString('utf8'));
  }
  return EXIT.ok;
};

const indent = (t: string) => t.trim().split('\n').map((l) => `  ${l}`).join('\n');
