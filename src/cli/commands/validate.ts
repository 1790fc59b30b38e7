import { checkFiles, scenarioFiles } from '../../adapters/scenario-store.js';
import { formatProblem } from '../../core/yaml-source.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint } from '../output.js';

export const run: CommandRun = async (ctx, args) => {
  const files = scenarioFiles(args.length ? args : ['scenarios'], ctx.cwd);
  const checks = checkFiles(files, ctx.cwd);
  const p = paint(ctx.out.color);
  let bad = 0;
  for (const c of checks) {
    if (c.problems.length === 0) continue;
    bad += 1;
    for (const pr of c.problems) ctx.out.line(formatProblem(pr));
  }
  const problems = checks.reduce((n, c) => n + c.problems.length, 0);
  if (bad === 0) {
    ctx.out.line(p.green(`✓ ${checks.length} scenario${checks.length === 1 ? '' : 's'} valid`));
    return EXIT.ok;
  }
  ctx.out.error(p.red(`✗ ${problems} problem${problems === 1 ? '' : 's'} in ${bad} of ${checks.length} file${checks.length === 1 ? '' : 's'}`));
  return EXIT.invalid;
};
