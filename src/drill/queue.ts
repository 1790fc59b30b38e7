/** A tiny wake-up queue for the live loop: producers push, the loop awaits the next item or a timeout. */
export class WakeQueue<T> {
  private items: T[] = [];
  private waiter: (() => void) | undefined;
  push(item: T): void {
    this.items.push(item);
    this.waiter?.();
  }
  /** the next item, or undefined after `timeoutMs` or when `signal` aborts */
  async next(timeoutMs: number, signal: AbortSignal): Promise<T | undefined> {
    if (this.items.length) return this.items.shift();
    if (signal.aborted) return undefined;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        this.waiter = undefined;
        resolve();
      };
      const t = setTimeout(done, Math.max(0, timeoutMs));
      signal.addEventListener('abort', done, { once: true });
      this.waiter = done;
    });
    return this.items.shift();
  }
}
