/** `gameday recover <drill-id>`: revert one drill's active faults from its journal. Idempotent. */
import { buildPorts } from '../../adapters/ports.js';
import { assertRecovered, recoverDrill, unfinished } from '../../runner/recover.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { LineHost } from '../hosts/line-host.js';
import { paint } from '../output.js';
import { stateOf } from '../state.js';

export const run: CommandRun = async (ctx, args) => {
  const { config, journals } = stateOf(ctx);
  const drillId = args[0]!;
  journals.read(drillId); // NOT_FOUND with a hint when the id is wrong
  // Ctrl-C / SIGTERM stops waiting at once; what is not reverted stays active and is listed
  const result = await recoverDrill(drillId, 'recover', { store: journals, config, host: new LineHost(ctx.out), buildPorts, cancel: ctx.signal });
  const n = result.results.filter((r) => r.outcome === 'reverted').length;
  const left = unfinished([result]).length;
  const p = paint(ctx.out.color);
  const unread = Boolean(result.unreadable?.length);
  if (left || unread) ctx.out.line(p.red(`✗ ${drillId}: ${n} fault(s) reverted${left ? `, ${left} still active` : ''}${unread ? '; not everything could be read' : ''} (below)`));
  else ctx.out.line(p.green(result.results.length === 0 && !result.error ? `✓ ${drillId}: nothing active` : `✓ ${drillId}: ${n} fault(s) reverted`));
  assertRecovered([result], ctx.signal, `gameday recover ${drillId}`);
  return EXIT.ok;
};
