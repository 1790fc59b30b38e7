/**
 * YAML text → plain data plus positions, so every problem can be reported as file:line:col.
 * Pure: callers read the file.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import type { Problem } from './problem.js';
import { clip } from './text.js';


export interface YamlSource {
  file: string;
  data: unknown;
  doc: Document.Parsed;
  lines: LineCounter;
  /** syntax problems and warnings (such as an unknown tag) */
  problems: Problem[];
  /** true when `data` is not to be trusted (a syntax error, a circular alias, runaway nesting) */
  fatal: boolean;
}

/** Deeper than this, a document is hostile, not a scenario (and recursive code must not follow it). */
export const MAX_YAML_DEPTH = 64;

export function parseYamlSource(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = lines.linePos(e.pos[0]);
    const first = e.message.split('\n')[0]!;
    // the parser reports runaway nesting as a stack overflow, once per level it unwinds
    const message = /call stack/i.test(first) ? 'YAML: nested too deeply' : `YAML: ${first}`;
    const key = `${pos.line}:${pos.col}:${message}`;
    if (seen.has(key) || (message === 'YAML: nested too deeply' && seen.has(message))) continue;
    seen.add(key).add(message);
    problems.push({ file, line: Math.max(1, pos.line), col: Math.max(1, pos.col), field: '', message });
  }
  let data: unknown = undefined;
  let fatal = doc.errors.length > 0;
  if (!fatal) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
      const shape = shapeProblem(data);
      if (shape) {
        problems.push({ file, line: 1, col: 1, field: '', message: `YAML: ${shape}` });
        fatal = true;
        data = undefined;
      }
    } catch (e) {
      problems.push({ file, line: 1, col: 1, field: '', message: `YAML: ${(e as Error).message.split('\n')[0]}` });
      fatal = true;
    }
  }
  return { file, data, doc, lines, problems, fatal };
}

/**
 * Aliases can make a value that contains itself (`a: &x [*x]`) or nest without end; everything
 * downstream (the schema, messages that quote a value) assumes a finite tree. Walks the data once.
 */
function shapeProblem(data: unknown): string | undefined {
  const onPath = new Set<object>();
  const walk = (v: unknown, depth: number): string | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    if (depth > MAX_YAML_DEPTH) return `nested more than ${MAX_YAML_DEPTH} levels deep`;
    if (onPath.has(v)) return 'an alias refers to a node that contains it (circular)';
    onPath.add(v);
    const children = v instanceof Map ? [...v.values()] : Array.isArray(v) ? v : Object.values(v);
    for (const c of children) {
      const p = walk(c, depth + 1);
      if (p) return p;
    }
    onPath.delete(v);
    return undefined;
  };
  return walk(data, 0);
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** Line and column of the node at `path`, or of its nearest existing ancestor. `key` points at a map key. */
export function locate(src: YamlSource, path: readonly PropertyKey[], key?: string): { line: number; col: number } {
  let node: unknown = src.doc.contents;
  let best: Node | null = (src.doc.contents as Node | null) ?? null;
  const segs = key === undefined ? path : [...path, key];
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (isMap(node)) {
      const pair = node.items.find((it) => (isScalar(it.key) ? String(it.key.value) : String(it.key)) === String(seg));
      if (!pair) break;
      const isLast = i === segs.length - 1;
      // for the last segment of an unknown key, point at the key itself
      best = (isLast && key !== undefined ? (pair.key as Node) : ((pair.value as Node | null) ?? (pair.key as Node))) ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      best = item;
      node = item;
    } else break;
  }
  const offset = best?.range?.[0] ?? 0;
  const pos = src.lines.linePos(offset);
  return { line: pos.line, col: pos.col };
}

/** One problem per zod issue, each pointing at its field in the YAML. */
export function zodProblems(src: YamlSource, error: z.ZodError, prefix: readonly PropertyKey[] = []): Problem[] {
  return issueProblems(src, error.issues, prefix);
}

function issueProblems(src: YamlSource, issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        const at = locate(src, path, k);
        out.push({ file: src.file, ...at, field: formatPath([...path, k]), message: 'unknown field' });
      }
      continue;
    }
    // a union of a scalar form and a mapping form (hints): when only one branch fits the value's
    // shape, its own issues say what is wrong, at their own fields
    if (issue.code === 'invalid_union' && !('discriminator' in issue && issue.discriminator) && issue.errors.length) {
      const fitting = issue.errors.filter((branch) => !(branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0));
      if (fitting.length === 1) {
        out.push(...issueProblems(src, fitting[0]!, path));
        continue;
      }
    }
    const at = locate(src, path);
    out.push({ file: src.file, ...at, field: formatPath(path), message: describeIssue(issue, valueAt(src.data, path)) });
  }
  return out;
}

/** The value at `path` in the parsed data; `present` is false when the key (or an ancestor) is absent. */
function valueAt(data: unknown, path: readonly PropertyKey[]): { present: boolean; value: unknown } {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return { present: false, value: undefined };
    const obj = cur as Record<PropertyKey, unknown>;
    if (!Object.prototype.hasOwnProperty.call(obj, seg as PropertyKey)) return { present: false, value: undefined };
    cur = obj[seg as PropertyKey];
  }
  return { present: cur !== undefined, value: cur };
}

/** A value the author wrote, for a message: JSON, shortened (a 5,000-character value is not echoed whole). */
const shown = (v: unknown): string => {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return clip(text, 60);
};

/** Type names as a YAML author knows them. */
const yamlType = (v: unknown): string =>
  v === null ? 'null (an empty value)' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : typeof v === 'string' ? 'text' : typeof v;
const expectedName = (t: string): string => ({ object: 'a mapping', record: 'a mapping', array: 'a list', string: 'text' })[t] ?? t;

function describeIssue(issue: z.core.$ZodIssue, at: { present: boolean; value: unknown }): string {
  if (issue.code === 'invalid_type') {
    // zod 4 does not put the input in its issues (unless asked): look the value up instead
    if (!at.present) return 'missing (required)';
    return `expected ${expectedName(issue.expected)}, got ${yamlType(at.value)}`;
  }
  if (issue.code === 'invalid_union') {
    if ('discriminator' in issue && issue.discriminator) {
      const options = (issue as { options?: unknown[] }).options ?? [];
      const list = options.map(String).join(', ');
      return at.present ? `unknown ${String(issue.discriminator)} ${shown(at.value)}${list ? ` (known: ${list})` : ''}` : `missing (required)${list ? `: one of ${list}` : ''}`;
    }
    if (!at.present) return 'missing (required)';
    const expected = [...new Set(issue.errors.flatMap((b) => (b.length === 1 && b[0]!.code === 'invalid_type' && b[0]!.path.length === 0 ? [expectedName(b[0]!.expected)] : [])))];
    if (expected.length === issue.errors.length && expected.length > 0) return `expected ${expected.join(' or ')}, got ${yamlType(at.value)}`;
    const first = issue.errors.find((b) => b.length > 0)?.[0];
    return first ? first.message : issue.message;
  }
  if (issue.code === 'invalid_value' && issue.values.length > 1) {
    return `expected one of ${issue.values.map(String).join(', ')}${at.present ? `, got ${shown(at.value)}` : ''}`;
  }
  return issue.message;
}
