/** The plan as text: blast radius, deadlines, guard verdicts and what revert will do. */
import { formatDuration } from '../core/duration.js';
import type { Plan } from '../runner/plan.js';
import { paint } from './output.js';

export function describePlan(plan: Plan, color: boolean): string {
  const p = paint(color);
  const lines: string[] = [];
  lines.push(p.bold(`Plan for environment ${plan.env.name}${plan.env.critical ? p.red(' (CRITICAL)') : ''} — seed ${plan.seed}`));
  if (plan.faults.length === 0) lines.push('  no faults: a tabletop drill');
  for (const f of plan.faults) {
    const n = f.selection.targets.length;
    lines.push(`  ${f.index + 1}. ${p.bold(f.kind)} — ${n} target${n === 1 ? '' : 's'}${f.selection.candidates !== undefined ? ` of ${f.selection.candidates} candidates` : ''}${f.atMs ? `, at +${formatDuration(f.atMs)}` : ''}`);
    for (const t of f.selection.targets.slice(0, 20)) lines.push(`     - ${t.scope.resource}`);
    if (n > 20) lines.push(`     … and ${n - 20} more`);
    for (const note of f.selection.notes ?? []) lines.push(p.dim(`     ${note}`));
    lines.push(
      f.injector.reversible
        ? `     lasts ${formatDuration(f.durationMs ?? 0)}, then reverts on its own; revert: ${f.selection.targets[0] ? f.injector.describeRevert(undefined, f.selection.targets[0]) : '—'}`
        : '     one-shot: nothing to revert (the system must heal itself)',
    );
  }
  lines.push(p.bold('Guards'));
  for (const v of plan.verdicts) lines.push(`  ${v.ok ? p.green('✓') : p.red('✗')} ${v.guard}: ${v.detail}`);
  return lines.join('\n');
}
