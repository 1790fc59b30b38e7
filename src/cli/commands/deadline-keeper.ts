/**
 * `gameday _keep-deadline <drill-id> --at <ms>` (hidden): the deadline keeper of a detached inject
 * (its journal event is still called `reaper-started`, the name journals already on disk carry).
 * Sleeps until the deadline (leaving early once the drill has nothing active), then reverts.
 * A revert that fails (the endpoint is down or frozen right then) is tried again with backoff,
 * for at most RETRY_FOR_MS: a fault must expire on its own even if the cloud blinked at its
 * deadline. Every attempt is bounded (src/runner/revert.ts) and takes the fault's claim, so the
 * keeper never reverts alongside `halt`, `recover` or a live drill.
 */
import { buildPorts } from '../../adapters/ports.js';
import { revertableFaults } from '../../core/drill-state.js';
import { recoverDrill, unfinished } from '../../runner/recover.js';
import { sleep } from '../../core/clock.js';
import { DefaultsHost } from '../../core/host.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { stateOf } from '../state.js';
import { parseEpochMs } from '../kv.js';

/** Waits between attempts after a failed revert: 30 s, 1 min, 2 min, then every 5 min… */
const RETRY_DELAYS_MS = [30_000, 60_000, 120_000, 300_000];
/** …for at most an hour after the deadline; then `gameday status` shows the fault with its retry command. */
const RETRY_FOR_MS = 60 * 60_000;

export const run: CommandRun = async (ctx, args, opts) => {
  const { config, journals } = stateOf(ctx);
  const drillId = args[0]!;
  const at = parseEpochMs(opts.at, '--at');
  const active = () => revertableFaults(journals.fold(drillId).state).length > 0;
  while (Date.now() < at) {
    if (!active()) return EXIT.ok; // reverted by someone else
    await sleep(Math.min(5_000, Math.max(0, at - Date.now())), ctx.signal).catch(() => undefined);
    if (ctx.signal.aborted) break; // killed politely: revert now rather than never
  }
  const giveUpAt = Date.now() + RETRY_FOR_MS;
  for (let attempt = 0; ; attempt++) {
    const result = await recoverDrill(drillId, 'deadline', { store: journals, config, host: new DefaultsHost(), buildPorts });
    if (unfinished([result]).length === 0 || !active()) return EXIT.ok;
    const wait = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!;
    if (ctx.signal.aborted || Date.now() + wait > giveUpAt) return EXIT.refused; // journaled as failed: status shows the retry command
    await sleep(wait, ctx.signal).catch(() => undefined);
    if (ctx.signal.aborted) return EXIT.refused;
  }
};
