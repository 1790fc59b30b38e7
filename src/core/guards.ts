/**
 * The safety guards, as one pure function over a resolved plan's facts. Every mutating command
 * checks these before anything is touched; a refusal names the guard and the resource.
 */
import { ALWAYS_PROTECTED_NAMESPACES, type Environment } from './environment.js';
import { describeWindow, formatLocalTime, openWindow } from './run-window.js';

export interface GuardVerdict {
  guard: 'environment' | 'halt-flag' | 'run-window' | 'protected-namespace' | 'opt-in' | 'toolkit-owned' | 'max-targets' | 'max-percent' | 'node-impact' | 'empty-selection';
  ok: boolean;
  detail: string;
  /** index of the fault in the plan, when the verdict is about one fault */
  fault?: number;
  /** what to do about this refusal, when it differs from the guard's usual advice */
  hint?: string;
}

export interface GuardFault {
  index: number;
  kind: string;
  nodeImpact: boolean;
  acknowledged: boolean;
  targets: { resource: string; namespace?: string; optedIn: boolean; toolkitOwned?: boolean; optInBy?: 'label' | 'tag' }[];
  candidates?: number;
}

export interface GuardInput {
  env: Environment;
  halt: { halted: boolean; reason?: string; unreadable?: boolean };
  faults: GuardFault[];
  /** the time the faults would start (ms since the epoch), for the run windows */
  now: number;
  /** a drill without faults breaks nothing: the run windows do not apply to it */
  tabletop?: boolean;
}

export function checkGuards({ env, halt, faults, now, tabletop }: GuardInput): GuardVerdict[] {
  const out: GuardVerdict[] = [];
  out.push(
    env.critical
      ? { guard: 'environment', ok: false, detail: `environment "${env.name}" is marked critical: gameday never mutates it` }
      : { guard: 'environment', ok: true, detail: `environment "${env.name}" is non-critical` },
  );
  out.push(
    !halt.halted
      ? { guard: 'halt-flag', ok: true, detail: 'halt flag clear' }
      : halt.unreadable
        ? { guard: 'halt-flag', ok: false, detail: `the halt flag cannot be read (${halt.reason ?? '?'}): nothing starts while it cannot be told whether someone halted`, hint: 'make the flag readable (the cluster reachable, the file intact), then try again' }
        : { guard: 'halt-flag', ok: false, detail: `the halt flag is set${halt.reason ? ` (${halt.reason})` : ''}` },
  );
  const windows = env.guards.windows;
  if (windows.length && !tabletop) {
    const open = openWindow(windows, now);
    const clock = formatLocalTime(now, windows[0]!.timezone);
    out.push(
      open
        ? { guard: 'run-window', ok: true, detail: `inside the run window ${describeWindow(open)}` }
        : { guard: 'run-window', ok: false, detail: `outside every run window of "${env.name}" (${windows.map(describeWindow).join('; ')}): it is ${clock}` },
    );
  }
  const protectedNs = new Set<string>([...ALWAYS_PROTECTED_NAMESPACES, ...env.guards.protectedNamespaces]);
  const optIn = env.guards.optInLabel;
  for (const f of faults) {
    const label = `fault ${f.index + 1} (${f.kind})`;
    if (f.targets.length === 0) {
      out.push({ guard: 'empty-selection', ok: false, fault: f.index, detail: `${label}: the selection matches nothing` });
      continue;
    }
    if (f.nodeImpact) {
      out.push(
        f.acknowledged
          ? { guard: 'node-impact', ok: true, fault: f.index, detail: `${label}: node-level impact acknowledged` }
          : { guard: 'node-impact', ok: false, fault: f.index, detail: `${label}: node-level fault needs acknowledgement (acknowledgeNodeImpact: true in the scenario, or --acknowledge-node-impact)` },
      );
    }
    for (const t of f.targets) {
      if (t.namespace && protectedNs.has(t.namespace)) out.push({ guard: 'protected-namespace', ok: false, fault: f.index, detail: `${label}: ${t.resource} is in protected namespace ${t.namespace}` });
      if (t.toolkitOwned) out.push({ guard: 'toolkit-owned', ok: false, fault: f.index, detail: `${label}: ${t.resource} belongs to gameday itself` });
      if (!t.optedIn) {
        const how = t.namespace
          ? `namespace ${t.namespace} lacks the label ${optIn}`
          : t.optInBy === 'label'
            ? `it is labelled out: ${optIn.split('=')[0]} is not ${optIn.split('=').slice(1).join('=')}`
            : `it lacks the tag ${env.guards.optInTag}`;
        out.push({ guard: 'opt-in', ok: false, fault: f.index, detail: `${label}: ${t.resource} has not opted in (${how})` });
      }
    }
    if (!f.targets.some((t) => !t.optedIn)) out.push({ guard: 'opt-in', ok: true, fault: f.index, detail: `${label}: all ${f.targets.length} target(s) opted in` });
    const n = f.targets.length;
    out.push(
      n > env.guards.maxTargets
        ? { guard: 'max-targets', ok: false, fault: f.index, detail: `${label}: ${n} targets exceeds the cap of ${env.guards.maxTargets}` }
        : { guard: 'max-targets', ok: true, fault: f.index, detail: `${label}: ${n} of at most ${env.guards.maxTargets} targets` },
    );
    if (f.candidates !== undefined && f.candidates > 0) {
      const pct = (100 * n) / f.candidates;
      out.push(
        pct > env.guards.maxPercent
          ? { guard: 'max-percent', ok: false, fault: f.index, detail: `${label}: ${n} of ${f.candidates} (${pct.toFixed(0)}%) exceeds the cap of ${env.guards.maxPercent}%` }
          : { guard: 'max-percent', ok: true, fault: f.index, detail: `${label}: ${n} of ${f.candidates} (${pct.toFixed(0)}%) within ${env.guards.maxPercent}%` },
      );
    }
  }
  return out;
}

export const refusals = (verdicts: GuardVerdict[]): GuardVerdict[] => verdicts.filter((v) => !v.ok);
