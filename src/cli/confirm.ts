import { GamedayError } from '../core/errors.js';
import type { CommandContext } from './context.js';

/**
 * Confirmation before a dangerous action: --yes skips it; without a terminal it is refused
 * (a script must say --yes); in a terminal the user is asked (default: no).
 */
export async function confirmOrRefuse(ctx: CommandContext, yes: boolean, message: string): Promise<void> {
  if (yes) return;
  if (!ctx.stdinIsTTY || !ctx.out.isTTY) throw new GamedayError('INVALID_INPUT', 'no terminal to confirm on', { hint: 'pass --yes to confirm non-interactively' });
  const { confirm } = await import('@inquirer/prompts');
  let ok = false;
  try {
    ok = await confirm({ message, default: false }, { signal: ctx.signal });
  } catch {
    ok = false; // Ctrl-C or Esc in the prompt: nothing has happened yet
  }
  if (!ok) throw new GamedayError('INTERRUPTED', 'cancelled: nothing was changed');
}
