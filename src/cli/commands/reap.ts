/**
 * `gameday _reap <drill-id> --at <ms>` (hidden): the deadline keeper of a detached inject.
 * Sleeps until the deadline (leaving early once the drill has nothing active), then reverts.
 */
import { buildPorts } from '../../adapters/ports.js';
import { revertableFaults } from '../../core/drill-state.js';
import { recoverDrill } from '../../runner/recover.js';
import { sleep } from '../../runner/context.js';
import { DefaultsHost } from '../../core/host.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { stateOf } from '../state.js';
import { parseEpochMs } from '../kv.js';

export const run: CommandRun = async (ctx, args, opts) => {
  const { config, journals } = stateOf(ctx);
  const drillId = args[0]!;
  const at = parseEpochMs(opts.at, '--at');
  while (Date.now() < at) {
    if (revertableFaults(journals.fold(drillId).state).length === 0) return EXIT.ok; // reverted by someone else
    await sleep(Math.min(5_000, Math.max(0, at - Date.now())), ctx.signal).catch(() => undefined);
    if (ctx.signal.aborted) break; // killed politely: revert now rather than never
  }
  await recoverDrill(drillId, 'deadline', { store: journals, config, host: new DefaultsHost(), buildPorts });
  return EXIT.ok;
};
