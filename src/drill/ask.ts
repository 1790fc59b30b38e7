/** Questions that give way: Ctrl-C, the halt flag, a crashed probe or a cancelled prompt end the wait. */
import { isGamedayError } from '../core/errors.js';
import type { Answer, Host, Question } from '../core/host.js';

/** Why the drill stopped while it waited (the signal's reason, as words). */
export class Interrupt extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

export const reasonOf = (signal: AbortSignal): string => {
  const r = signal.reason as unknown;
  if (r instanceof Error) return r.message;
  return typeof r === 'string' ? r : 'interrupted';
};

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Interrupt(reasonOf(signal));
}

export async function askOrInterrupt<Q extends Question>(host: Host, signal: AbortSignal, q: Q): Promise<Answer<Q>> {
  throwIfAborted(signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Interrupt(reasonOf(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([host.ask(q), aborted]);
  } catch (e) {
    if (e instanceof Interrupt) throw e;
    if (isGamedayError(e) && e.code === 'INTERRUPTED') throw new Interrupt(e.message);
    throw e;
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}
