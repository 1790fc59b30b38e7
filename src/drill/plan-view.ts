/** A plan as lines a facilitator reads: blast radius, guards, deadlines, what revert will do. Pure. */
import { formatDuration } from '../core/duration.js';
import type { Scenario } from '../core/scenario.js';
import type { Plan } from '../runner/plan.js';

export interface PlanJson {
  env: string;
  seed: number;
  ok: boolean;
  faults: {
    index: number;
    kind: string;
    reversible: boolean;
    durationMs?: number;
    atMs: number;
    candidates?: number;
    targets: { resource: string; namespace?: string; revert: string }[];
    notes: string[];
  }[];
  guards: { guard: string; ok: boolean; detail: string; fault?: number }[];
  blastRadius: { targets: number; byKind: Record<string, number>; namespaces: string[] };
}

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

export function planLines(p: PlanJson): string[] {
  const out: string[] = [];
  out.push(`Environment: ${p.env}   seed: ${p.seed}`);
  out.push(`Blast radius: ${p.blastRadius.targets} target(s)${Object.keys(p.blastRadius.byKind).length ? ` — ${Object.entries(p.blastRadius.byKind).map(([k, n]) => `${n} × ${k}`).join(', ')}` : ''}${p.blastRadius.namespaces.length ? `; namespaces: ${p.blastRadius.namespaces.join(', ')}` : ''}`);
  if (p.faults.length === 0) out.push('No faults: a tabletop drill (gameday only keeps the time).');
  for (const f of p.faults) {
    const when = f.atMs ? ` at +${formatDuration(f.atMs)}` : '';
    const life = f.reversible ? `reverts by itself after ${formatDuration(f.durationMs ?? 0)}` : 'one-shot (cannot be undone; the system must heal)';
    out.push(`Fault ${f.index + 1}: ${f.kind}${when} — ${f.targets.length}${f.candidates !== undefined ? ` of ${f.candidates}` : ''} target(s), ${life}`);
    for (const t of f.targets) out.push(`  • ${t.resource}  → revert: ${t.revert}`);
    for (const n of f.notes) out.push(`  ${n}`);
  }
  out.push('Guards:');
  for (const g of p.guards) out.push(`  ${g.ok ? '✔' : '✘'} ${g.guard}${g.fault !== undefined ? ` (fault ${g.fault + 1})` : ''}: ${g.detail}`);
  out.push(p.ok ? 'Verdict: allowed.' : 'Verdict: REFUSED — nothing will be changed.');
  return out;
}

export function objectiveLine(s: Scenario): string {
  const o = s.objectives;
  return [
    o.detectWithin !== undefined && `detect within ${formatDuration(o.detectWithin)}`,
    o.diagnoseWithin !== undefined && `diagnose within ${formatDuration(o.diagnoseWithin)}`,
    o.mitigateWithin !== undefined && `mitigate within ${formatDuration(o.mitigateWithin)}`,
    o.recoverWithin !== undefined && `recover within ${formatDuration(o.recoverWithin)}`,
  ].filter(Boolean).join(', ');
}
