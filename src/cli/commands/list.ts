import { loadAllScenarios } from '../../drill/scenario-store.js';
import { formatProblem } from '../../core/yaml-source.js';
import { catalog } from '../../injectors/registry.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint } from '../output.js';
import { table } from '../table.js';

export const run: CommandRun = async (ctx, _args, opts) => {
  const p = paint(ctx.out.color);
  if (opts.kinds) {
    const kinds = Object.values(catalog()).map((i) => ({ kind: i.kind, title: i.title, reversible: i.reversible, nodeImpact: Boolean(i.nodeImpact), description: i.description }));
    if (opts.json) ctx.out.line(JSON.stringify(kinds, null, 2));
    else ctx.out.line(table(['KIND', 'REVERSIBLE', 'WHAT IT DOES'], kinds.map((k) => [k.kind, k.reversible ? 'yes' : 'one-shot', k.description])));
    return EXIT.ok;
  }
  const { checks } = loadAllScenarios(String(opts.dir ?? 'scenarios'), ctx.cwd);
  const cat = catalog();
  const rows = checks.flatMap((c) => {
    const s = c.scenario;
    if (!s) return [];
    const kinds = [...new Set(s.faults.map((f) => f.kind))];
    return [{ id: s.id, title: s.title, kinds, reversible: s.faults.every((f) => cat[f.kind]?.reversible ?? false), tabletop: s.faults.length === 0, difficulty: s.difficulty, tags: s.tags }];
  });
  if (opts.json) {
    ctx.out.line(JSON.stringify(rows, null, 2));
  } else {
    ctx.out.line(table(['ID', 'TITLE', 'FAULTS', 'REVERSIBLE', 'DIFFICULTY'], rows.map((r) => [r.id, r.title, r.tabletop ? '(tabletop)' : r.kinds.join(', '), r.tabletop ? '—' : r.reversible ? 'yes' : 'one-shot', r.difficulty])));
  }
  const invalid = checks.filter((c) => !c.scenario);
  for (const c of invalid) ctx.out.error(p.yellow(`skipped invalid ${formatProblem(c.problems[0]!)}${c.problems.length > 1 ? ` (+${c.problems.length - 1} more; see gameday validate)` : ''}`));
  return invalid.length ? EXIT.invalid : EXIT.ok;
};
