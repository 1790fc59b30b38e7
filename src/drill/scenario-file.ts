/**
 * Finds and checks a scenario for `show`, `plan` and `run`: an id in the scenario directory, or a
 * path. Goes through the same checks as `gameday validate` (src/adapters/scenario-store.ts), so a
 * drill never starts from a scenario that validate would reject.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { checkFiles, checkFilesWith, type ScenarioChecker } from './scenario-store.js';
import type { KindFacts, ScenarioCheck } from '../core/scenario-check.js';
import { GamedayError } from '../core/errors.js';
import { clip, quoted } from '../core/text.js';
import type { Scenario } from '../core/scenario.js';
import { formatProblem } from '../core/problem.js';

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
  /** where runbook paths are resolved from: the folder holding the scenario directory */
  root: string;
  /** what the check knew of the fault kinds the scenario uses (reversible, node-level) */
  kinds: Record<string, KindFacts>;
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
  const known = scenarioIds(resolve(cwd, dir));
  throw new GamedayError('NOT_FOUND', `no scenario ${quoted(ref, 40)} in ${clip(dir, 80)}/`, { hint: known.length ? `known scenarios: ${known.join(', ')}` : 'run from the folder that holds scenarios/, or pass --dir' });
}

/** The ids in a scenario folder, for a hint; nothing when it is not a readable folder. */
function scenarioIds(folder: string): string[] {
  try {
    return readdirSync(folder).filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, '')).sort();
  } catch {
    return [];
  }
}

export async function loadScenario(ref: string, opts: { dir: string; cwd: string }): Promise<LoadedScenario> {
  const file = scenarioPath(ref, opts.dir, opts.cwd);
  return loaded(file, (await checkFiles([file], opts.cwd))[0]);
}

/** The same, synchronously, with the checker loaded beforehand (scenarioChecker). */
export function loadScenarioWith(checker: ScenarioChecker, ref: string, opts: { dir: string; cwd: string }): LoadedScenario {
  const file = scenarioPath(ref, opts.dir, opts.cwd);
  return loaded(file, checkFilesWith(checker, [file], opts.cwd)[0]);
}

function loaded(file: string, check: ScenarioCheck | undefined): LoadedScenario {
  if (!check || check.problems.length || !check.scenario) {
    throw new GamedayError('INVALID_INPUT', `scenario ${file} is invalid:\n${(check?.problems ?? []).map(formatProblem).join('\n')}`, { hint: 'fix the fields above (`gameday validate` shows the same list)' });
  }
  return { file, scenario: check.scenario, root: dirname(dirname(file)), kinds: check.kinds ?? {} };
}
