/**
 * Scenario validation: every problem in one pass, each with file:line:col and field.
 * Pure: file contents and runbook lookups come in through `ValidateEnv`.
 */
import { basename, extname } from 'node:path';
import type { z } from 'zod';
import { DEFAULT_TIME_LIMIT_MS, scenarioSpec, type Scenario } from './scenario.js';
import { formatDuration } from './duration.js';
import { own, quoted } from './text.js';
import type { Problem } from './problem.js';
import { MAX_SCENARIO_BYTES, type KindFacts, type RunbookInfo, type ScenarioCheck } from './scenario-check.js';
import { formatPath, locate, parseYamlSource, zodProblems, type YamlSource } from './yaml-source.js';

/** What validation needs to know of a fault kind (the injector registry provides it). */
export interface KindRules {
  targetSchema: z.ZodType<unknown>;
  paramsSchema: z.ZodType<unknown>;
  reversible: boolean;
  nodeImpact?: boolean;
}

export interface ValidateEnv {
  catalog: Readonly<Record<string, KindRules>>;
  /** resolves a scenario's runbook path (relative to the project root) */
  runbook(path: string, scenarioFile: string): RunbookInfo;
}

export function checkScenarioText(file: string, bytes: Buffer, env: ValidateEnv): ScenarioCheck {
  if (bytes.length > MAX_SCENARIO_BYTES) return { file, problems: [{ file, line: 1, col: 1, field: '', message: `file is ${bytes.length} bytes; scenarios are at most ${MAX_SCENARIO_BYTES}` }] };
  if (bytes.includes(0)) return { file, problems: [{ file, line: 1, col: 1, field: '', message: 'not a text file (contains NUL bytes)' }] };
  let text: string;
  try {
    // fatal: only bytes that are not UTF-8 are refused; a U+FFFD written in the file is text
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { file, problems: [{ file, line: 1, col: 1, field: '', message: 'not valid UTF-8 text' }] };
  }
  const src = parseYamlSource(file, text);
  if (src.fatal) return { file, problems: src.problems };
  if (src.data === null || typeof src.data !== 'object' || Array.isArray(src.data)) {
    return { file, problems: [...src.problems, { file, line: 1, col: 1, field: '', message: 'a scenario is a YAML mapping (id:, title:, …)' }] };
  }
  // warnings (an unknown tag…) are reported beside the schema's problems, not instead of them
  const check = checkScenarioData(src, env);
  if (src.problems.length === 0) return check;
  const problems = [...src.problems, ...check.problems].sort((a, b) => a.line - b.line || a.col - b.col);
  return { ...check, problems, scenario: undefined };
}

function checkScenarioData(src: YamlSource, env: ValidateEnv): ScenarioCheck {
  const { file } = src;
  const problems: Problem[] = [];
  const parsed = scenarioSpec.safeParse(src.data);
  if (!parsed.success) problems.push(...zodProblems(src, parsed.error));
  const raw = src.data as Record<string, unknown>;

  // id = file name
  const expectedId = basename(file, extname(file));
  if (typeof raw.id === 'string' && raw.id !== expectedId) {
    problems.push({ file, ...locate(src, ['id']), field: 'id', message: `id "${raw.id}" does not match the file name (expected "${expectedId}")` });
  }

  // fault kinds, targets and params, checked by each injector's own schema
  const faults = Array.isArray(raw.faults) ? (raw.faults as unknown[]) : [];
  const known = Object.keys(env.catalog);
  faults.forEach((f, i) => {
    if (!f || typeof f !== 'object') return;
    const fault = f as Record<string, unknown>;
    if (typeof fault.kind !== 'string') return; // the schema already reported it
    const inj = own(env.catalog, fault.kind);
    if (!inj) {
      problems.push({ file, ...locate(src, ['faults', i, 'kind']), field: `faults[${i}].kind`, message: `unknown fault kind ${quoted(fault.kind, 40)} (known: ${known.join(', ')})` });
      return;
    }
    for (const [part, schema] of [['target', inj.targetSchema], ['params', inj.paramsSchema]] as const) {
      const r = schema.safeParse(fault[part] ?? {});
      if (!r.success) problems.push(...zodProblems(src, r.error, ['faults', i, part]));
    }
    if (fault.duration !== undefined && !inj.reversible) {
      problems.push({ file, ...locate(src, ['faults', i, 'duration']), field: `faults[${i}].duration`, message: `${fault.kind} is one-shot (not reversible): remove duration` });
    }
    if (inj.nodeImpact && fault.acknowledgeNodeImpact !== true) {
      problems.push({ file, ...locate(src, ['faults', i]), field: `faults[${i}].acknowledgeNodeImpact`, message: `${fault.kind} acts on nodes: add acknowledgeNodeImpact: true to say you mean it` });
    }
  });

  // the runbook must exist, and so must its heading (checked even when other fields are wrong)
  const runbook = scenarioSpec.shape.runbook.safeParse(raw.runbook);
  if (runbook.success && runbook.data) {
    const [path, anchor] = runbook.data.split('#') as [string, string | undefined];
    const info = env.runbook(path, file);
    const at = locate(src, ['runbook']);
    if (!info.exists) problems.push({ file, ...at, field: 'runbook', message: `runbook not found: ${path}` });
    else if (anchor && !info.anchors.includes(anchor.toLowerCase())) {
      problems.push({ file, ...at, field: 'runbook', message: `no heading "#${anchor}" in ${path} (headings: ${info.anchors.slice(0, 8).join(', ') || 'none'})` });
    }
  }

  if (parsed.success) problems.push(...crossFieldProblems(src, parsed.data));
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  const scenario = parsed.success && problems.length === 0 ? parsed.data : undefined;
  return { file, scenario, problems, idAt: locate(src, ['id']), ...(scenario ? { kinds: kindFacts(scenario, env.catalog) } : {}) };
}

/** What the registry says of each kind the scenario uses, kept with the check (list and show read it from the cache). */
function kindFacts(s: Scenario, catalog: ValidateEnv['catalog']): Record<string, KindFacts> {
  const out: Record<string, KindFacts> = {};
  for (const kind of new Set(s.faults.map((f) => f.kind))) {
    const rules = own(catalog, kind);
    if (rules) out[kind] = { reversible: rules.reversible, nodeImpact: Boolean(rules.nodeImpact) };
  }
  return out;
}

/**
 * What each field allows alone but the scenario cannot do: a timed hint or a fault due after the
 * drill has ended (the default time limit counts too), two probes of one name (their results
 * would be folded together).
 */
function crossFieldProblems(src: YamlSource, s: Scenario): Problem[] {
  const out: Problem[] = [];
  const limit = s.timeLimit ?? DEFAULT_TIME_LIMIT_MS;
  const limitText = s.timeLimit === undefined ? `the default timeLimit (${formatDuration(limit)})` : `timeLimit (${formatDuration(limit)})`;
  const at = (path: PropertyKey[], message: string) => out.push({ file: src.file, ...locate(src, path), field: formatPath(path), message });
  s.hints.forEach((h, i) => {
    if (h.after !== undefined && h.after >= limit) at(['hints', i, 'after'], `the hint is due at or after ${limitText}, when the drill is over`);
  });
  s.faults.forEach((f, i) => {
    if (f.at !== undefined && f.at >= limit) at(['faults', i, 'at'], `the fault is due at or after ${limitText}, when the drill is over`);
  });
  let previous = 0;
  s.checklist.forEach((c, i) => {
    if (c.target === undefined) return;
    if (c.target > limit) at(['checklist', i, 'target'], `the step is due after ${limitText}, when the drill is over`);
    else if (c.target < previous) at(['checklist', i, 'target'], `the step is due before the step above it (${formatDuration(previous)}): list steps in the order they are due`);
    previous = Math.max(previous, c.target);
  });
  const seen = new Set<string>();
  s.steadyState.forEach((p, i) => {
    if (seen.has(p.name)) at(['steadyState', i, 'name'], `a second probe named ${quoted(p.name, 40)}: probe names must be unique`);
    seen.add(p.name);
  });
  s.stopConditions.forEach((c, i) => {
    if ('probe' in c && !seen.has(c.probe)) at(['stopConditions', i, 'probe'], `no steadyState probe named ${quoted(c.probe, 40)} (probes: ${[...seen].join(', ') || 'none'})`);
  });
  return out;
}

