/**
 * The outcome of checking a scenario file, and the checks that need no parsing: what `list`,
 * `show` and `validate` use on a warm run, answered from the scenario cache. Free of the YAML parser
 * and the schemas (zod) on purpose: loading those was most of a light command's start-up
 * (validate.ts, which needs both, is loaded only when a file is not in the cache).
 */
import type { Problem } from './problem.js';
import type { Scenario } from './scenario.js';

export const MAX_SCENARIO_BYTES = 256 * 1024;

export interface RunbookInfo {
  exists: boolean;
  /** GitHub-style anchors of the file's headings */
  anchors: string[];
}

/** What list and show say of a fault kind, recorded by the check (the registry is not loaded on a warm run). */
export interface KindFacts {
  reversible: boolean;
  nodeImpact: boolean;
}

export interface ScenarioCheck {
  file: string;
  scenario?: Scenario;
  problems: Problem[];
  /** where the id is written, so a duplicate id is reported on its line */
  idAt?: { line: number; col: number };
  /** what the check knew of each fault kind the scenario uses (from the injector registry), for list and show */
  kinds?: Record<string, KindFacts>;
}

/** GitHub's heading anchor: lower-case, punctuation dropped, spaces to dashes. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export function markdownAnchors(markdown: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m?.[1]) out.push(headingAnchor(m[1]));
  }
  return out;
}

/** Ids must be unique across everything validated together. */
export function duplicateIdProblems(checks: ScenarioCheck[]): Problem[] {
  const seen = new Map<string, string>();
  const out: Problem[] = [];
  for (const c of checks) {
    const id = c.scenario?.id;
    if (!id) continue;
    const prev = seen.get(id);
    if (prev) out.push({ file: c.file, ...(c.idAt ?? { line: 1, col: 1 }), field: 'id', message: `duplicate id "${id}" (also in ${prev})` });
    else seen.set(id, c.file);
  }
  return out;
}
