/**
 * Resolving faults against an environment gives the plan: the exact targets, deadlines, guard
 * verdicts and what revert will do. `gameday plan` prints it and changes nothing; `run` and
 * `inject` execute the same object. Selection is read-only (injectors' `select`).
 */
import type { Environment } from '../core/environment.js';
import { GamedayError } from '../core/errors.js';
import { checkGuards, refusals, type GuardVerdict } from '../core/guards.js';
import { seededRandom } from '../core/random.js';
import type { FaultSpec } from '../core/scenario.js';
import { formatPath } from '../core/yaml-source.js';
import { clip, quoted } from '../core/text.js';
import type { PlanJson } from '../core/plan-view.js';
import type { AnyInjector, InjectorContext, Selection } from '../injectors/contract.js';
import { catalog, findInjector } from '../injectors/registry.js';
import type { PortName, PortSet } from '../ports/index.js';
import { makeInjectorContext } from './context.js';

export interface PlannedFault {
  index: number;
  kind: string;
  injector: AnyInjector;
  targetSpec: unknown;
  params: unknown;
  selection: Selection;
  /** how long a reversible fault lives (capped by the environment); undefined for one-shot */
  durationMs?: number;
  /** delay after the drill starts */
  atMs: number;
  acknowledged: boolean;
}

export interface Plan {
  env: Environment;
  seed: number;
  faults: PlannedFault[];
  verdicts: GuardVerdict[];
  ok: boolean;
}

export interface PlanInput {
  env: Environment;
  faults: FaultSpec[];
  seed: number;
  /** --acknowledge-node-impact given on the command line */
  acknowledgeNodeImpact?: boolean;
  halt: { halted: boolean; reason?: string; unreadable?: boolean };
  /** when the drill would start (ms since the epoch; default now), for the run windows */
  now?: number;
}

/** Port names the given fault kinds need, to build only those clients. */
export function portsNeeded(faults: { kind: string }[]): PortName[] {
  const needs = new Set<PortName>();
  for (const f of faults) for (const n of findInjector(f.kind)?.needs ?? []) needs.add(n);
  return [...needs];
}

/** Checks kinds, targets and params of ad-hoc or scenario faults; throws one error listing every problem. */
/** A zod issue as one short line: "expected number, got "1e3"" rather than zod's "Invalid input: …, received string". */
function issueText(issue: { message: string; path: PropertyKey[]; code: string }, input: unknown): string {
  let value: unknown = input;
  for (const k of issue.path) value = value !== null && typeof value === 'object' && Object.hasOwn(value, k) ? (value as Record<PropertyKey, unknown>)[k] : undefined;
  const message = issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'invalid_type' && value === undefined) return 'missing (required)';
  if (issue.code === 'invalid_type') return `${message.replace(/, received .*$/, '')}, got ${quoted(value, 40)}`;
  return clip(message, 200);
}

export function checkFaultSpecs(faults: FaultSpec[], where = 'faults'): { injector: AnyInjector; targetSpec: unknown; params: unknown }[] {
  const problems: string[] = [];
  const out = faults.map((f, i) => {
    const injector = findInjector(f.kind);
    if (!injector) {
      problems.push(`${where}[${i}].kind: unknown fault kind ${quoted(f.kind, 40)} (known: ${Object.keys(catalog()).join(', ')})`);
      return undefined;
    }
    const t = injector.targetSchema.safeParse(f.target);
    const p = injector.paramsSchema.safeParse(f.params);
    if (!t.success) for (const iss of t.error.issues) problems.push(`${where}[${i}].target${iss.path.length ? `.${formatPath(iss.path)}` : ''}: ${issueText(iss, f.target)}`);
    if (!p.success) for (const iss of p.error.issues) problems.push(`${where}[${i}].params${iss.path.length ? `.${formatPath(iss.path)}` : ''}: ${issueText(iss, f.params)}`);
    if (f.duration !== undefined && !injector.reversible) problems.push(`${where}[${i}].duration: ${f.kind} is one-shot; a duration means nothing for it`);
    return t.success && p.success ? { injector, targetSpec: t.data, params: p.data } : undefined;
  });
  if (problems.length) throw new GamedayError('INVALID_INPUT', problems.join('\n'), { hint: 'see `gameday list --kinds` for each kind’s targets and params' });
  return out as { injector: AnyInjector; targetSpec: unknown; params: unknown }[];
}

export async function resolvePlan(input: PlanInput, deps: { ports: Partial<PortSet>; signal: AbortSignal; progress?: (m: string) => void }): Promise<Plan> {
  const { env } = input;
  const now = input.now ?? Date.now();
  const tabletop = input.faults.length === 0;
  const checked = checkFaultSpecs(input.faults);
  // a critical or halted environment is refused before anything, even a read, reaches it
  const early = checkGuards({ env, halt: input.halt, faults: [], now, tabletop });
  if (refusals(early).length) return { env, seed: input.seed, faults: [], verdicts: early, ok: false };
  const random = seededRandom(input.seed);
  const ctx: InjectorContext = makeInjectorContext(env, deps.ports, deps.signal, deps.progress);
  const faults: PlannedFault[] = [];
  for (const [index, f] of input.faults.entries()) {
    const { injector, targetSpec, params } = checked[index]!;
    const selection = await injector.select(ctx, targetSpec, params, random);
    faults.push({
      index,
      kind: f.kind,
      injector,
      targetSpec,
      params,
      selection,
      durationMs: injector.reversible ? Math.min(f.duration ?? env.defaultDuration, env.maxDuration) : undefined,
      atMs: f.at ?? 0,
      acknowledged: Boolean(f.acknowledgeNodeImpact || input.acknowledgeNodeImpact),
    });
  }
  const verdicts = checkGuards({
    env,
    now,
    tabletop,
    halt: input.halt,
    faults: faults.map((f) => ({
      index: f.index,
      kind: f.kind,
      nodeImpact: Boolean(f.injector.nodeImpact),
      acknowledged: f.acknowledged,
      targets: f.selection.targets.map((t) => t.scope),
      candidates: f.selection.candidates,
    })),
  });
  return { env, seed: input.seed, faults, verdicts, ok: refusals(verdicts).length === 0 };
}

const HINTS: Partial<Record<GuardVerdict['guard'], string>> = {
  'halt-flag': 'clear it with `gameday halt --clear` once it is safe',
  'run-window': 'start it inside a window, or change guards.windows of the environment in gameday.yaml',
};

/** What to do about the first refusing guard, in one line. */
export function refusalHint(verdicts: GuardVerdict[]): string {
  const first = refusals(verdicts)[0];
  return first?.hint ?? HINTS[first?.guard ?? 'environment'] ?? 'target opted-in, non-critical resources, within the caps of the environment';
}

/** Throws GUARD_REFUSED naming every refusing guard; nothing has been mutated at this point. */
export function assertPlanAllowed(plan: Plan): void {
  const no = refusals(plan.verdicts);
  if (no.length === 0) return;
  const first = no[0]!;
  const code = first.guard === 'halt-flag' && no.length === 1 ? 'HALTED' : 'GUARD_REFUSED';
  throw new GamedayError(code, `refused by ${no.length === 1 ? 'a guard' : `${no.length} guards`}, nothing was changed:\n${no.map((v) => `  ${v.guard}: ${v.detail}`).join('\n')}`, {
    hint: refusalHint(no),
  });
}

/** A plain summary of the plan for the journal. */
export function planEvent(plan: Plan, now: number) {
  return {
    type: 'plan' as const,
    faults: plan.faults.map((f) => ({
      index: f.index,
      kind: f.kind,
      targets: f.selection.targets.map((t) => t.scope.resource),
      reversible: f.injector.reversible,
      deadline: f.durationMs === undefined ? undefined : now + f.atMs + f.durationMs,
    })),
  };
}

/** The resolved plan as data: what `plan --json` prints and the plan view renders. */
export function planJson(plan: Plan): PlanJson {
  const faults = plan.faults.map((f) => ({
    index: f.index,
    kind: f.kind,
    reversible: f.injector.reversible,
    durationMs: f.durationMs,
    atMs: f.atMs,
    candidates: f.selection.candidates,
    targets: f.selection.targets.map((t) => ({ resource: t.scope.resource, namespace: t.scope.namespace, revert: f.injector.reversible ? f.injector.describeRevert(undefined, t) : 'nothing to revert (one-shot)' })),
    notes: f.selection.notes ?? [],
  }));
  const byKind: Record<string, number> = {};
  for (const f of faults) byKind[f.kind] = (byKind[f.kind] ?? 0) + f.targets.length;
  const namespaces = [...new Set(faults.flatMap((f) => f.targets.map((t) => t.namespace).filter((n): n is string => Boolean(n))))];
  return {
    env: plan.env.name,
    seed: plan.seed,
    ok: plan.ok,
    faults,
    guards: plan.verdicts.map((v) => ({ guard: v.guard, ok: v.ok, detail: v.detail, fault: v.fault })),
    blastRadius: { targets: faults.reduce((n, f) => n + f.targets.length, 0), byKind, namespaces },
  };
}
