/** `gameday status`: active drills and faults with age and expiry, from the journals alone. */
import type { FaultClaimPort } from '../../ports/journal.js';
import { activeFaults, type FaultState } from '../../core/drill-state.js';
import { formatDuration } from '../../core/duration.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint } from '../output.js';
import { stateOf } from '../state.js';
import { table } from '../table.js';

export const run: CommandRun = async (ctx, _args, opts) => {
  const { journals, halt } = stateOf(ctx);
  const claims = journals.claims;
  const now = Date.now();
  const p = paint(ctx.out.color);
  const scan = journals.scan();
  const folded = scan.ids.map((id) => journals.fold(id));
  // each unreadable line once: those that may hide a fault in the drill's row (below), the rest on stderr
  for (const pr of folded.flatMap((f) => f.problems).filter((x) => !x.mayHideFault)) ctx.out.error(p.yellow(`warning: ${pr.file}${pr.line > 0 ? `:${pr.line}` : ''}: ${pr.message}`));
  const drills = folded
    .map(({ state, problems }) => ({ s: state, unreadable: problems.filter((x) => x.mayHideFault) }))
    .filter(({ s, unreadable }) => (!opts.env || s.env === opts.env || (s.env === undefined && unreadable.length > 0)) && (s.endedAt === undefined || activeFaults(s).length > 0 || unreadable.length > 0))
    .map(({ s, unreadable }) => ({
      drillId: s.drillId,
      env: s.env,
      mode: s.mode,
      scenario: s.scenario,
      startedAt: s.startedAt,
      faults: activeFaults(s).map((f) => ({
        faultId: f.record.faultId,
        kind: f.record.kind,
        target: f.record.target,
        status: f.status,
        ageMs: now - Date.parse(f.injectedAt ?? f.intendedAt),
        deadline: f.record.deadline,
        overdue: f.record.deadline !== undefined && f.record.deadline < now,
        ...revertState(claims, s.drillId, f),
      })),
      /** lines that could not be read and may hold an active fault: never shown as "nothing active" */
      unreadable: unreadable.map((u) => ({ file: u.file, line: u.line, message: u.message })),
    }));
  const flags = halt.list();
  if (opts.json) {
    const strays = scan.problems.map((u) => ({ file: u.file, message: u.message }));
    ctx.out.line(JSON.stringify({ halted: flags, drills, ...(strays.length ? { strayFiles: strays } : {}) }, null, 2));
    return EXIT.ok;
  }
  for (const f of flags) {
    if (f.unreadable) ctx.out.line(p.red(`■ HALTED (${f.scope}): the halt flag cannot be read (${f.reason ?? '?'}) — no drill starts until it can`));
    else ctx.out.line(p.red(`■ HALTED (${f.scope}) since ${f.at}${f.reason ? `: ${f.reason}` : ''} — clear with gameday halt --clear${f.scope === 'global' ? '' : ` --env ${f.scope}`}`));
  }
  for (const u of scan.problems) ctx.out.line(p.red(`? ${u.file}: ${u.message} — it may hold active faults`));
  if (drills.length === 0) {
    if (scan.problems.length === 0) ctx.out.line(p.green('no active drills'));
    return EXIT.ok;
  }
  for (const d of drills) {
    ctx.out.line(p.bold(`${d.drillId}  ${d.mode ?? '?'} on ${d.env ?? '?'}${d.scenario ? ` (${d.scenario})` : ''}, started ${d.startedAt ?? '?'}`));
    for (const u of d.unreadable) ctx.out.line(p.red(`  ? line ${u.line || '—'} could not be read (${u.message}): it may hold an active fault; \`gameday halt\` reverts what it can read`));
    if (d.faults.length === 0) {
      if (d.unreadable.length === 0) ctx.out.line('  no active faults');
      continue;
    }
    ctx.out.line(
      table(
        ['  FAULT', 'KIND', 'TARGET', 'STATUS', 'AGE', 'EXPIRES'],
        d.faults.map((f) => [`  ${f.faultId}`, f.kind, f.target, f.status, formatDuration(f.ageMs), f.deadline === undefined ? '—' : f.overdue ? p.red(`OVERDUE by ${formatDuration(now - f.deadline)}: run gameday halt`) : `in ${formatDuration(f.deadline - now)}`]),
      ),
    );
    for (const f of d.faults) {
      if (f.revertingBy) ctx.out.line(`  … ${f.faultId}: being reverted by ${f.revertingBy}`);
      if (f.retry) ctx.out.line(p.yellow(`  ! ${f.faultId}: ${f.lastError ?? 'revert failed'} — retry: ${f.retry}`));
    }
  }
  return EXIT.ok;
};

/**
 * A revert in progress names who does it (its claim's holder); one that failed, or whose process
 * died mid-way (journaled as reverting, nobody holds the claim), says why and how to retry.
 */
function revertState(claims: FaultClaimPort, drillId: string, f: FaultState): { revertingBy?: string; lastError?: string; retry?: string } {
  const retry = `gameday recover ${drillId}`;
  if (f.status === 'revert-failed') return { lastError: f.lastError ?? 'revert failed', retry };
  if (f.status !== 'reverting') return {};
  const h = claims.holder(drillId, f.record.faultId);
  if (h) return { revertingBy: `${h.reason === 'deadline' ? 'the deadline keeper' : `gameday ${h.reason}`} (pid ${h.pid} on ${h.host}, since ${h.at})` };
  return { lastError: 'revert interrupted: the process reverting it is gone', retry };
}
