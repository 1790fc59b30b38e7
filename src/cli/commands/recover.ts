/** `gameday recover <drill-id>`: revert one drill's active faults from its journal. Idempotent. */
import { buildPorts } from '../../adapters/ports.js';
import { assertRecovered, recoverDrill } from '../../runner/recover.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { LineHost } from '../hosts/line-host.js';
import { paint } from '../output.js';
import { stateOf } from '../state.js';

export const run: CommandRun = async (ctx, args) => {
  const { config, journals } = stateOf(ctx);
  const drillId = args[0]!;
  journals.read(drillId); // NOT_FOUND with a hint when the id is wrong
  const result = await recoverDrill(drillId, 'recover', { store: journals, config, host: new LineHost(ctx.out), buildPorts });
  const n = result.results.filter((r) => r.outcome === 'reverted').length;
  const p = paint(ctx.out.color);
  const complete = !result.error && !result.unreadable?.length && result.results.every((r) => r.outcome !== 'failed');
  if (!complete) ctx.out.line(p.red(`✗ ${drillId}: ${n} fault(s) reverted; not everything could be read or reverted (below)`));
  else ctx.out.line(p.green(result.results.length === 0 ? `✓ ${drillId}: nothing active` : `✓ ${drillId}: ${n} fault(s) reverted`));
  assertRecovered([result]);
  return EXIT.ok;
};
