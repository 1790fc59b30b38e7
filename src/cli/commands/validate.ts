import { checkFiles, listScenarioFiles } from '../../drill/scenario-store.js';
import { formatProblem } from '../../core/problem.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint } from '../output.js';

/** Every problem of every file and path, even when some of them are broken; exit 2 when any. */
/** reads scenarios and runbooks only, never gameday.yaml (see main.ts) */
export const configFree = true;

export const run: CommandRun = async (ctx, args) => {
  const { files, problems: pathProblems } = listScenarioFiles(args.length ? args : ['scenarios'], ctx.cwd);
  const checks = await checkFiles(files, ctx.cwd);
  const p = paint(ctx.out.color);
  for (const pr of pathProblems) ctx.out.line(formatProblem(pr));
  let bad = pathProblems.length;
  for (const c of checks) {
    if (c.problems.length === 0) continue;
    bad += 1;
    for (const pr of c.problems) ctx.out.line(formatProblem(pr));
  }
  const problems = pathProblems.length + checks.reduce((n, c) => n + c.problems.length, 0);
  if (bad === 0) {
    ctx.out.line(p.green(`✓ ${checks.length} scenario${checks.length === 1 ? '' : 's'} valid`));
    return EXIT.ok;
  }
  const of = checks.length + pathProblems.length;
  ctx.out.error(p.red(`✗ ${problems} problem${problems === 1 ? '' : 's'} in ${bad} of ${of} file${of === 1 ? '' : 's'}${pathProblems.length ? ' or paths' : ''}`));
  return EXIT.invalid;
};
