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
import { duplicateIdProblems, markdownAnchors, MAX_SCENARIO_BYTES, type RunbookInfo, type ScenarioCheck } from '../core/scenario-check.js';
import type { Problem } from '../core/problem.js';
import { FileReadError, readRegularFile } from '../adapters/regular-file.js';
import { fileIdentity, pathIdentity, scenarioCache, type Dependency, type ScenarioCache } from '../adapters/scenario-cache.js';

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
      key = realpathSync.native(f); // one syscall; the JS walk lstat-ed every component of every file
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

/** Where a scenario's runbook path may point, in order: beside the scenario's folder, then the working directory. */
const runbookCandidates = (cwd: string, path: string, scenarioFile: string): string[] => [resolve(dirname(dirname(scenarioFile)), path), resolve(cwd, path)];

export function runbookLookup(cwd: string) {
  return (path: string, scenarioFile: string): RunbookInfo => {
    const candidates = runbookCandidates(cwd, path, scenarioFile);
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

/** The identities of every file a runbook lookup may read (while they stand, its answer does); undefined if one changed just now. */
const runbookIdentity = (cwd: string, path: string, scenarioFile: string): string | undefined => {
  const ids = runbookCandidates(cwd, path, scenarioFile).map((c) => pathIdentity(c));
  return ids.includes('racy') ? undefined : ids.join('|');
};

/** Checks one file's bytes: the validator with the injector registry (see scenarioChecker). */
export type ScenarioChecker = (display: string, bytes: Buffer, runbook: RunbookLookup) => ScenarioCheck;
type RunbookLookup = ReturnType<typeof runbookLookup>;

/** The runbook lookups of a check and whether a stored one still holds: by the runbooks' identities, else by looking again. */
interface Runbooks {
  lookup: RunbookLookup;
  identity: (path: string, scenarioFile: string) => string | undefined;
  still: (d: Dependency) => boolean;
}

function runbooks(cwd: string): Runbooks {
  const lookup = runbookLookup(cwd);
  const identity = (path: string, scenarioFile: string) => runbookIdentity(cwd, path, scenarioFile);
  return { lookup, identity, still: (d) => (d.identity !== undefined && d.identity === identity(...d.args)) || JSON.stringify(lookup(...d.args)) === JSON.stringify(d.answer) };
}

/**
 * The validator and the registry, imported when first needed rather than at the top: they bring
 * the YAML parser, the schemas (zod) and every injector, and a warm `list`, `show` or `validate`,
 * whose files are all in the cache, needs none of them (issue 15's start-up goal).
 */
export async function scenarioChecker(): Promise<ScenarioChecker> {
  const [{ checkScenarioText }, { catalog }] = await Promise.all([import('../core/validate.js'), import('../injectors/registry.js')]);
  return (display, bytes, runbook) => checkScenarioText(display, bytes, { catalog: catalog(), runbook });
}

type FileRead = { display: string; bytes: Buffer; identity?: string } | { display: string; check: ScenarioCheck };

/**
 * Every file's check, from the cache where it holds; the checker is loaded only if one is not there.
 * A file the cache knows by its identity on disk is not even read (issue 15: a warm `list`).
 */
export async function checkFiles(files: string[], cwd: string, displayRoot = cwd, cache: ScenarioCache<ScenarioCheck> | undefined = scenarioCache()): Promise<ScenarioCheck[]> {
  const rb = runbooks(cwd);
  const known = files.map((f) => knownCheck(f, displayRoot, rb, cache));
  const reads = files.map((f, i) => (known[i]!.check ? undefined : readScenarioFile(f, displayRoot, known[i]!.identity)));
  const hits = reads.map((r, i) => known[i]!.check ?? cachedCheck(r!, rb, cache));
  const checker = hits.every(Boolean) ? undefined : await scenarioChecker();
  return withDuplicateIds(reads.map((r, i) => hits[i] ?? checkUncached(r!, rb, cache, checker!)));
}

/** The same, synchronously, with a checker loaded beforehand (for callers that cannot wait). */
export function checkFilesWith(checker: ScenarioChecker, files: string[], cwd: string, displayRoot = cwd, cache: ScenarioCache<ScenarioCheck> | undefined = scenarioCache()): ScenarioCheck[] {
  const rb = runbooks(cwd);
  return withDuplicateIds(
    files.map((f) => {
      const known = knownCheck(f, displayRoot, rb, cache);
      if (known.check) return known.check;
      const r = readScenarioFile(f, displayRoot, known.identity);
      return cachedCheck(r, rb, cache) ?? checkUncached(r, rb, cache, checker);
    }),
  );
}

/** The stored check of a file known by its identity on disk (nothing read), and that identity for storing a new one. */
function knownCheck(f: string, displayRoot: string, rb: Runbooks, cache: ScenarioCache<ScenarioCheck> | undefined): { check?: ScenarioCheck; identity?: string } {
  if (!cache) return {};
  const identity = fileIdentity(f);
  if (identity === undefined) return {}; // not a regular file: reading it says what is wrong
  const check = cache.get(displayOf(f, displayRoot), { identity }, rb.still);
  return check ? { check } : { identity };
}

/** Ids must be unique across the files checked together: a duplicate is a problem of the later file. */
function withDuplicateIds(checks: ScenarioCheck[]): ScenarioCheck[] {
  for (const d of duplicateIdProblems(checks)) {
    const c = checks.find((x) => x.file === d.file);
    if (!c) continue;
    c.problems.push(d);
    c.scenario = undefined; // a scenario with a problem is not valid, or list would show it twice
  }
  return checks;
}

/** The stored check of these bytes, if the runbook lookups it made still give the same answers; an unreadable file's own check. */
function cachedCheck(r: FileRead, rb: Runbooks, cache: ScenarioCache<ScenarioCheck> | undefined): ScenarioCheck | undefined {
  if ('check' in r) return r.check;
  return cache?.get(r.display, r.identity ? { bytes: r.bytes, identity: r.identity } : { bytes: r.bytes }, rb.still);
}

const displayOf = (f: string, displayRoot: string): string => (f.startsWith(displayRoot + '/') ? f.slice(displayRoot.length + 1) : f);

/** A file's bytes (with the identity it had when looked at, if any), or the check that says it cannot be read. */
function readScenarioFile(f: string, displayRoot: string, identity?: string): FileRead {
  const display = displayOf(f, displayRoot);
  try {
    // one byte over the limit is enough to say the file is too big
    return { display, bytes: readRegularFile(f, { what: 'scenario', maxBytes: MAX_SCENARIO_BYTES }), ...(identity ? { identity } : {}) };
  } catch (e) {
    return { display, check: { file: display, problems: [{ file: display, line: 1, col: 1, field: '', message: unreadable(e) }] } };
  }
}

/**
 * One file's check, stored in the cache with the runbook lookups it made (repeated on a later hit,
 * scenario-cache.ts). A bug of ours must not hide the other files' problems: it becomes one problem.
 */
function checkUncached(r: FileRead, rb: Runbooks, cache: ScenarioCache<ScenarioCheck> | undefined, checker: ScenarioChecker): ScenarioCheck {
  if ('check' in r) return r.check;
  const deps: Dependency[] = [];
  const recording = (path: string, file: string): RunbookInfo => {
    // the identity before the look: a runbook edited in between is then a miss next time, never a stale hit
    const identity = rb.identity(path, file);
    const answer = rb.lookup(path, file);
    deps.push({ args: [path, file], answer, ...(identity ? { identity } : {}) });
    return answer;
  };
  try {
    const check = checker(r.display, r.bytes, recording);
    cache?.put(r.display, r.identity ? { bytes: r.bytes, identity: r.identity } : { bytes: r.bytes }, check, deps);
    return check;
  } catch (e) {
    return { file: r.display, problems: [{ file: r.display, line: 1, col: 1, field: '', message: `internal error while checking this file (a bug in gameday): ${clip(e instanceof Error ? e.message : String(e), 120)}` }] };
  }
}

/** The reason a file could not be read, without repeating its path (the problem line names it). */
const unreadable = (e: unknown): string => (e instanceof FileReadError ? e.short : `cannot read: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);

export async function loadAllScenarios(dir: string, cwd: string): Promise<{ checks: ScenarioCheck[] }> {
  return { checks: await checkFiles(scenarioFiles([dir], cwd), cwd) };
}
