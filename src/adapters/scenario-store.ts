/**
 * Reads scenario files and runbooks from disk for validation, list, show, plan and run.
 * The project root is the folder that holds `scenarios/`; runbook paths are relative to it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { GamedayError } from '../core/errors.js';
import { checkScenarioText, duplicateIdProblems, markdownAnchors, type RunbookInfo, type ScenarioCheck } from '../core/validate.js';
import { catalog } from '../injectors/registry.js';

const isScenarioFile = (f: string) => ['.yaml', '.yml'].includes(extname(f));

/** Files named by paths (files or directories, non-recursive into hidden folders). */
export function scenarioFiles(paths: string[], cwd: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new GamedayError('NOT_FOUND', `no such file or directory: ${p}`, { hint: 'pass scenario files or a directory of them' });
    if (statSync(abs).isDirectory()) {
      for (const f of readdirSync(abs).sort()) if (isScenarioFile(f) && !f.startsWith('.')) out.push(join(abs, f));
    } else out.push(abs);
  }
  return out;
}

export function runbookLookup(cwd: string) {
  return (path: string, scenarioFile: string): RunbookInfo => {
    const candidates = [resolve(dirname(dirname(scenarioFile)), path), resolve(cwd, path)];
    const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
    if (!found) return { exists: false, anchors: [] };
    return { exists: true, anchors: markdownAnchors(readFileSync(found, 'utf8')) };
  };
}

export function checkFiles(files: string[], cwd: string, displayRoot = cwd): ScenarioCheck[] {
  const env = { catalog: catalog(), runbook: runbookLookup(cwd) };
  const checks = files.map((f) => {
    const display = f.startsWith(displayRoot + '/') ? f.slice(displayRoot.length + 1) : f;
    let bytes: Buffer;
    try {
      bytes = readFileSync(f);
    } catch (e) {
      return { file: display, problems: [{ file: display, line: 1, col: 1, field: '', message: `cannot read: ${(e as Error).message}` }] };
    }
    const c = checkScenarioText(display, bytes, env);
    return c;
  });
  const dups = duplicateIdProblems(checks);
  for (const d of dups) {
    const c = checks.find((x) => x.file === d.file);
    if (!c) continue;
    c.problems.push(d);
    c.scenario = undefined; // a scenario with a problem is not valid, or list would show it twice
  }
  return checks;
}

export function loadAllScenarios(dir: string, cwd: string): { checks: ScenarioCheck[] } {
  return { checks: checkFiles(scenarioFiles([dir], cwd), cwd) };
}
