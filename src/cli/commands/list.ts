import { loadAllScenarios } from '../../drill/scenario-store.js';
import { formatProblem } from '../../core/problem.js';
import { own } from '../../core/text.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint } from '../output.js';
import { table } from '../table.js';

/** reads scenarios and runbooks only, never gameday.yaml (see main.ts) */
export const configFree = true;

export const run: CommandRun = async (ctx, _args, opts) => {
  const p = paint(ctx.out.color);
  if (opts.kinds) {
    // the registry brings every injector and its schemas: loaded for --kinds only
    const { catalog } = await import('../../injectors/registry.js');
    const kinds = Object.values(catalog()).map((i) => ({ kind: i.kind, title: i.title, reversible: i.reversible, nodeImpact: Boolean(i.nodeImpact), description: i.description }));
    if (opts.json) ctx.out.line(JSON.stringify(kinds, null, 2));
    else ctx.out.line(table(['KIND', 'REVERSIBLE', 'WHAT IT DOES'], kinds.map((k) => [k.kind, k.reversible ? 'yes' : 'one-shot', k.description])));
    return EXIT.ok;
  }
  const { checks } = await loadAllScenarios(String(opts.dir ?? 'scenarios'), ctx.cwd);
  const rows = checks.flatMap((c) => {
    const s = c.scenario;
    if (!s) return [];
    const kinds = [...new Set(s.faults.map((f) => f.kind))];
    return [{ id: s.id, title: s.title, kinds, reversible: s.faults.every((f) => (c.kinds ? own(c.kinds, f.kind)?.reversible : undefined) ?? false), tabletop: s.faults.length === 0, difficulty: s.difficulty, tags: s.tags }];
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
