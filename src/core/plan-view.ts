/**
 * A plan as data (PlanJson: what `plan --json` prints and the journal's readers see) and as lines
 * a facilitator reads: blast radius, guards, deadlines, what revert will do. Pure; the runner turns
 * a resolved Plan into PlanJson (runner/plan.ts planJson).
 */
import { formatDuration } from './duration.js';
import type { Scenario } from './scenario.js';
import type { Row } from './summary-rows.js';

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


/** The plan as rows with a meaning: refused guards and the verdict read as such, whatever the colour. */
export function planRows(p: PlanJson): Row[] {
  const out: Row[] = [];
  const line = (text: string, tone: Row['tone'] = 'plain') => out.push({ text, tone });
  line(`Environment: ${p.env}   seed: ${p.seed}`);
  line(`Blast radius: ${p.blastRadius.targets} target(s)${Object.keys(p.blastRadius.byKind).length ? ` — ${Object.entries(p.blastRadius.byKind).map(([k, n]) => `${n} × ${k}`).join(', ')}` : ''}${p.blastRadius.namespaces.length ? `; namespaces: ${p.blastRadius.namespaces.join(', ')}` : ''}`);
  if (p.faults.length === 0) line('No faults: a tabletop drill (gameday only keeps the time).');
  for (const f of p.faults) {
    const when = f.atMs ? ` at +${formatDuration(f.atMs)}` : '';
    const life = f.reversible ? `reverts by itself after ${formatDuration(f.durationMs ?? 0)}` : 'one-shot (cannot be undone; the system must heal)';
    line(`Fault ${f.index + 1}: ${f.kind}${when} — ${f.targets.length}${f.candidates !== undefined ? ` of ${f.candidates}` : ''} target(s), ${life}`);
    for (const t of f.targets.slice(0, MAX_TARGET_ROWS)) line(`  • ${t.resource}  → revert: ${t.revert}`);
    if (f.targets.length > MAX_TARGET_ROWS) line(`  … and ${f.targets.length - MAX_TARGET_ROWS} more (plan --json lists them all)`, 'dim');
    for (const n of f.notes) line(`  ${n}`, 'dim');
  }
  line('Guards:');
  for (const g of p.guards) line(`  ${g.ok ? '✔' : '✘'} ${g.guard}${g.fault !== undefined ? ` (fault ${g.fault + 1})` : ''}: ${g.detail}`, g.ok ? 'good' : 'bad');
  line(p.ok ? 'Verdict: allowed.' : 'Verdict: REFUSED — nothing will be changed.', p.ok ? 'good' : 'bad');
  return out;
}

/** Targets listed per fault before "… and N more": a plan of 10,000 pods stays readable. */
const MAX_TARGET_ROWS = 50;

export function objectiveLine(s: Scenario): string {
  const o = s.objectives;
  return [
    o.detectWithin !== undefined && `detect within ${formatDuration(o.detectWithin)}`,
    o.diagnoseWithin !== undefined && `diagnose within ${formatDuration(o.diagnoseWithin)}`,
    o.mitigateWithin !== undefined && `mitigate within ${formatDuration(o.mitigateWithin)}`,
    o.recoverWithin !== undefined && `recover within ${formatDuration(o.recoverWithin)}`,
  ].filter(Boolean).join(', ');
}
