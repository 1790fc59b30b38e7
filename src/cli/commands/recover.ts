/**
 * `gameday recover <drill-id>`: revert one drill's active faults from its journal. Idempotent.
 * `gameday recover --orphans [--env E]`: revert every drill's faults that no living drill will
 * (past their deadline, or left by a process that stopped renewing the environment's Lease);
 * the in-cluster keeper `gameday schedule export` adds runs it every minute.
 */
import { buildPorts } from '../../adapters/ports.js';
import { getEnvironment } from '../../adapters/config-store.js';
import { GamedayError } from '../../core/errors.js';
import { assertRecovered, recoverDrill, unfinished, type DrillRecovery } from '../../runner/recover.js';
import { recoverOrphans } from '../../runner/orphans.js';
import type { CommandContext, CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { LineHost } from '../hosts/line-host.js';
import { paint } from '../output.js';
import { stateOf } from '../state.js';

export const run: CommandRun = async (ctx, args, opts) => {
  if (opts.orphans) {
    if (args[0] !== undefined) throw new GamedayError('INVALID_INPUT', `recover: give a drill id or --orphans, not both (got ${args[0]})`, { hint: 'gameday recover <drill-id>, or gameday recover --orphans [--env <name>]' });
    return recoverOrphansCommand(ctx, opts.env as string | undefined);
  }
  if (args[0] === undefined) throw new GamedayError('INVALID_INPUT', 'recover: which drill? give its id (see `gameday status`), or --orphans', { hint: 'gameday recover <drill-id>, or gameday recover --orphans [--env <name>]' });
  if (opts.env !== undefined) throw new GamedayError('INVALID_INPUT', '--env goes with --orphans: a drill id already names its environment', { hint: `gameday recover ${args[0]}` });
  const { config, journals } = stateOf(ctx);
  const drillId = args[0];
  journals.read(drillId); // NOT_FOUND with a hint when the id is wrong
  // Ctrl-C / SIGTERM stops waiting at once; what is not reverted stays active and is listed
  const result = await recoverDrill(drillId, 'recover', { store: journals, config, host: new LineHost(ctx.out), buildPorts, cancel: ctx.signal });
  printOutcome(ctx, result);
  assertRecovered([result], ctx.signal, `gameday recover ${drillId}`);
  return EXIT.ok;
};

async function recoverOrphansCommand(ctx: CommandContext, envName: string | undefined): Promise<number> {
  const { config, journals } = stateOf(ctx);
  if (envName !== undefined) getEnvironment(config, envName); // NOT_FOUND naming the known ones
  const { readClusterLease, LEASE_SECONDS } = await import('../../adapters/kube/cluster-lease.js');
  const results = await recoverOrphans(envName, { store: journals, config, host: new LineHost(ctx.out), buildPorts, cancel: ctx.signal, readLease: readClusterLease, now: Date.now, leaseMs: LEASE_SECONDS * 1000 });
  if (results.length === 0) ctx.out.line(paint(ctx.out.color).green(`✓ no orphaned faults${envName ? ` in ${envName}` : ''}: every active fault belongs to a living drill, before its deadline`));
  for (const r of results) printOutcome(ctx, r);
  assertRecovered(results, ctx.signal, `gameday recover --orphans${envName ? ` --env ${envName}` : ''}`);
  return EXIT.ok;
}

function printOutcome(ctx: CommandContext, result: DrillRecovery): void {
  const { drillId } = result;
  const n = result.results.filter((r) => r.outcome === 'reverted').length;
  const left = unfinished([result]).length;
  const p = paint(ctx.out.color);
  const unread = Boolean(result.unreadable?.length);
  if (left || unread) ctx.out.line(p.red(`✗ ${drillId}: ${n} fault(s) reverted${left ? `, ${left} still active` : ''}${unread ? '; not everything could be read' : ''} (below)`));
  else ctx.out.line(p.green(result.results.length === 0 && !result.error ? `✓ ${drillId}: nothing active` : `✓ ${drillId}: ${n} fault(s) reverted`));
}
