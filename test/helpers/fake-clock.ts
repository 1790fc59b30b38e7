/**
 * A fake Clock (src/core/clock.ts) for tests of the drill's lifecycle: time moves only when the
 * test says so, and every pause or timer due by then runs, in time order, with the microtasks it
 * starts settled between steps. A drill of minutes runs in milliseconds.
 */
import type { Clock } from '../../src/core/clock.js';

interface Waiter {
  at: number;
  seq: number;
  fire(): void;
}

const settle = async (): Promise<void> => {
  // let promise chains started by a wake-up run before the next timer fires
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
};

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private waiters: Waiter[] = [];
  constructor(start = Date.parse('2026-12-02T14:00:00Z')) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  pause(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const w: Waiter = { at: this.t + Math.max(0, ms), seq: this.seq++, fire: () => done() };
      const done = () => {
        this.waiters = this.waiters.filter((x) => x !== w);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.push(w);
    });
  }
  every(ms: number, fn: () => void): () => void {
    let current: Waiter | undefined;
    const schedule = (from: number) => {
      const w: Waiter = {
        at: from + ms,
        seq: this.seq++,
        fire: () => {
          this.waiters = this.waiters.filter((x) => x !== w);
          fn();
          if (current === w) schedule(w.at);
        },
      };
      current = w;
      this.waiters.push(w);
    };
    schedule(this.t);
    return () => {
      this.waiters = this.waiters.filter((x) => x !== current);
      current = undefined;
    };
  }
  /** Moves time forward by `ms`, firing what falls due on the way, in order. */
  async advance(ms: number, step = 100): Promise<void> {
    const end = this.t + ms;
    await settle();
    while (this.t < end) {
      const next = Math.min(end, this.t + step);
      for (;;) {
        const due = this.waiters.filter((w) => w.at <= next).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
        if (!due) break;
        this.t = Math.max(this.t, due.at);
        due.fire();
        await settle();
      }
      this.t = next;
      await settle();
    }
  }
  /** Advances in steps until `check` holds (or `maxMs` of fake time has passed); returns whether it held. */
  async until(check: () => boolean, maxMs = 60 * 60_000, step = 100): Promise<boolean> {
    for (let waited = 0; waited <= maxMs; waited += step) {
      if (check()) return true;
      await this.advance(step, step);
    }
    return check();
  }
}
