/**
 * Reads scenario files and runbooks from disk for validation, list, show, plan and run.
 * The project root is the folder that holds `scenarios/`; runbook paths are relative to it.
 *
 * Nothing here lets one bad path or file hide the others: a missing path, a folder without
 * scenarios, a directory or FIFO named like a scenario, a file that cannot be read — each is one
 * problem on its own line, and every other file is still checked.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { GamedayError } from '../core/errors.js';
import { clip } from '../core/text.js';
import { checkScenarioText, duplicateIdProblems, markdownAnchors, MAX_SCENARIO_BYTES, type RunbookInfo, type ScenarioCheck } from '../core/validate.js';
import type { Problem } from '../core/yaml-source.js';
import { catalog } from '../injectors/registry.js';
import { FileReadError, readRegularFile } from '../adapters/regular-file.js';

const isScenarioFile = (f: string) => ['.yaml', '.yml'].includes(extname(f));
/** Runbooks are pages of Markdown; a bigger file is not one. */
export const MAX_RUNBOOK_BYTES = 4 * 1024 * 1024;

export interface ScenarioFileList {
  files: string[];
  /** paths that could not be used (missing, empty folder…), each a problem at 1:1 */
  problems: Problem[];
}

/** Files named by paths (files or directories, non-recursive into hidden folders), each once. */
export function listScenarioFiles(paths: string[], cwd: string): ScenarioFileList {
  const files: string[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    let key = f;
    try {
      key = realpathSync(f);
    } catch {
      // unreadable entries are reported when read
    }
    if (!seen.has(key)) files.push(f);
    seen.add(key);
  };
  const problem = (p: string, message: string) => problems.push({ file: clip(p, 200), line: 1, col: 1, field: '', message });
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      problem(p, code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file or directory' : `cannot read: ${code ?? String(e)}`);
      continue;
    }
    if (!st.isDirectory()) {
      add(abs);
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(abs).sort();
    } catch (e) {
      problem(p, `cannot list the folder: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      continue;
    }
    const inside = names.filter((f) => isScenarioFile(f) && !f.startsWith('.'));
    if (inside.length === 0) problem(p, 'no scenario files (*.yaml, *.yml) in this folder');
    for (const f of inside) add(join(abs, f));
  }
  return { files, problems };
}

/** The files of `paths`, or an error naming the first path that cannot be used (list, rbac). */
export function scenarioFiles(paths: string[], cwd: string): string[] {
  const { files, problems } = listScenarioFiles(paths, cwd);
  const first = problems[0];
  if (first && !first.message.startsWith('no scenario files')) throw new GamedayError('NOT_FOUND', `${first.file}: ${first.message}`, { hint: 'pass scenario files or a directory of them' });
  return files;
}

export function runbookLookup(cwd: string) {
  return (path: string, scenarioFile: string): RunbookInfo => {
    const candidates = [resolve(dirname(dirname(scenarioFile)), path), resolve(cwd, path)];
    const found = candidates.find((c) => isRegularFile(c));
    if (!found) return { exists: false, anchors: [] };
    try {
      return { exists: true, anchors: markdownAnchors(readRegularFile(found, { what: 'runbook', maxBytes: MAX_RUNBOOK_BYTES }).toString('utf8')) };
    } catch {
      return { exists: false, anchors: [] };
    }
  };
}

const isRegularFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

export function checkFiles(files: string[], cwd: string, displayRoot = cwd): ScenarioCheck[] {
  const env = { catalog: catalog(), runbook: runbookLookup(cwd) };
  const checks = files.map((f) => {
    const display = f.startsWith(displayRoot + '/') ? f.slice(displayRoot.length + 1) : f;
    let bytes: Buffer;
    try {
      // one byte over the limit is enough to say the file is too big
      bytes = readRegularFile(f, { what: 'scenario', maxBytes: MAX_SCENARIO_BYTES });
    } catch (e) {
      return { file: display, problems: [{ file: display, line: 1, col: 1, field: '', message: unreadable(e) }] };
    }
    try {
      return checkScenarioText(display, bytes, env);
    } catch (e) {
      // a bug of ours must not hide the other files' problems: name it here, as one problem
      return { file: display, problems: [{ file: display, line: 1, col: 1, field: '', message: `internal error while checking this file (a bug in gameday): ${clip(e instanceof Error ? e.message : String(e), 120)}` }] };
    }
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

/** The reason a file could not be read, without repeating its path (the problem line names it). */
const unreadable = (e: unknown): string => (e instanceof FileReadError ? e.short : `cannot read: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);

export function loadAllScenarios(dir: string, cwd: string): { checks: ScenarioCheck[] } {
  return { checks: checkFiles(scenarioFiles([dir], cwd), cwd) };
}
