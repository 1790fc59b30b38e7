/**
 * YAML text → plain data plus positions, so every problem can be reported as file:line:col.
 * Pure: callers read the file.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';

export interface Problem {
  file: string;
  line: number;
  col: number;
  /** dotted path of the field, e.g. faults[0].params.count; empty for the whole file */
  field: string;
  message: string;
}

export const formatProblem = (p: Problem): string => `${p.file}:${p.line}:${p.col}: ${p.field ? `${p.field}: ` : ''}${p.message}`;

export interface YamlSource {
  file: string;
  data: unknown;
  doc: Document.Parsed;
  lines: LineCounter;
  /** syntax problems; when any, `data` is not to be trusted */
  problems: Problem[];
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: Problem[] = [...doc.errors, ...doc.warnings].map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { file, line: pos.line, col: pos.col, field: '', message: `YAML: ${e.message.split('\n')[0]}` };
  });
  let data: unknown = undefined;
  if (doc.errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      problems.push({ file, line: 1, col: 1, field: '', message: `YAML: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  return { file, data, doc, lines, problems };
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
  const out: Problem[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        const at = locate(src, path, k);
        out.push({ file: src.file, ...at, field: formatPath([...path, k]), message: 'unknown field' });
      }
      continue;
    }
    const at = locate(src, path);
    out.push({ file: src.file, ...at, field: formatPath(path), message: describeIssue(issue) });
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const received = (issue as { input?: unknown }).input;
    if (received === undefined) return 'missing (required)';
    return `expected ${issue.expected}, got ${Array.isArray(received) ? 'array' : received === null ? 'null' : typeof received}`;
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) return `${issue.message}`;
  return issue.message;
}
