/**
 * Finds and checks a scenario for `plan` and `run`: an id in the scenario directory, or a path.
 * Uses the same validation as `gameday validate`, so a drill never starts from a scenario that
 * validate would reject.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { GamedayError } from '../core/errors.js';
import type { Scenario } from '../core/scenario.js';
import { checkScenarioText, markdownAnchors, type RunbookInfo } from '../core/validate.js';
import { formatProblem } from '../core/yaml-source.js';
import { catalog } from '../injectors/registry.js';

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
  /** where runbook paths are resolved from */
  root: string;
}

export function scenarioPath(ref: string, dir: string, cwd: string): string {
  const asPath = isAbsolute(ref) ? ref : resolve(cwd, ref);
  if (/\.ya?ml$/i.test(ref) || ref.includes('/')) {
    if (existsSync(asPath)) return asPath;
    throw new GamedayError('NOT_FOUND', `scenario file not found: ${ref}`, { hint: 'give a scenario id (see `gameday list`) or an existing .yaml file' });
  }
  for (const ext of ['.yaml', '.yml']) {
    const f = resolve(cwd, dir, `${ref}${ext}`);
    if (existsSync(f)) return f;
  }
  throw new GamedayError('NOT_FOUND', `no scenario "${ref}" in ${resolve(cwd, dir)}`, { hint: 'see `gameday list` for the scenario ids, or pass --dir' });
}

/** The project root for runbook links: the scenario directory's parent. */
export const projectRoot = (file: string): string => dirname(dirname(file));

export function runbookInfo(root: string) {
  return (path: string): RunbookInfo => {
    const f = join(root, path);
    if (!existsSync(f) || !statSync(f).isFile()) return { exists: false, anchors: [] };
    return { exists: true, anchors: markdownAnchors(readFileSync(f, 'utf8')) };
  };
}

export function loadScenario(ref: string, opts: { dir: string; cwd: string }): LoadedScenario {
  const file = scenarioPath(ref, opts.dir, opts.cwd);
  const root = projectRoot(file);
  const info = runbookInfo(root);
  const check = checkScenarioText(file, readFileSync(file), { catalog: catalog(), runbook: (p) => info(p.split('#')[0]!) });
  if (check.problems.length || !check.scenario) {
    throw new GamedayError('INVALID_INPUT', `scenario ${file} is invalid:\n${check.problems.map(formatProblem).join('\n')}`, { hint: 'fix the fields above (`gameday validate` shows the same list)' });
  }
  return { file, scenario: check.scenario, root };
}
