/** A tiny wake-up queue for the live loop: producers push, the loop awaits the next item or a timeout on the drill's clock. */
import type { Clock } from '../core/clock.js';

export class WakeQueue<T> {
  private items: T[] = [];
  private wake: AbortController | undefined;
  constructor(private readonly clock: Pick<Clock, 'pause'>) {}
  push(item: T): void {
    this.items.push(item);
    this.wake?.abort();
  }
  /** the next item, or undefined after `timeoutMs` or when `signal` aborts */
  async next(timeoutMs: number, signal: AbortSignal): Promise<T | undefined> {
    if (this.items.length) return this.items.shift();
    if (signal.aborted) return undefined;
    this.wake = new AbortController();
    try {
      await this.clock.pause(Math.max(0, timeoutMs), AbortSignal.any([signal, this.wake.signal]));
    } finally {
      this.wake = undefined;
    }
    return this.items.shift();
  }
}
