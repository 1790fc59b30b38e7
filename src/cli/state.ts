import { EnvLock } from '../adapters/env-lock.js';
import { HaltFlag } from '../adapters/halt-flag.js';
import { JournalStore } from '../adapters/journal-store.js';
import type { CommandContext } from './context.js';

/** The stores every drill command reads: journals, the halt flag, environment locks. */
export function stateOf(ctx: CommandContext) {
  const config = ctx.config();
  return { config, journals: new JournalStore(config.stateDir), halt: new HaltFlag(config.stateDir), locks: new EnvLock(config.stateDir) };
}
