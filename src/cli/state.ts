import { EnvLock } from '../adapters/env-lock.js';
import { DrillStores } from '../adapters/journals.js';
import type { CommandContext } from './context.js';

/**
 * The stores every drill command reads: journals (the state directory's and every cluster-journal
 * environment's), the halt flag (the same), environment locks.
 */
export function stateOf(ctx: CommandContext) {
  const config = ctx.config();
  const stores = new DrillStores(config.stateDir, config.environments);
  return { config, stores, journals: stores.journals, halt: stores.halt, locks: new EnvLock(config.stateDir) };
}
