/**
 * Time, behind a port: the drill reads the clock and waits only through a Clock, so its tests run
 * on a fake clock in milliseconds (test/helpers/fake-clock.ts) and production uses the system's.
 * `sleep` and `pause` are the one abortable wait of the code base; `pollUntil` the one poll loop.
 */
import { formatDuration } from './duration.js';

export interface Clock {
  now(): number;
  /** waits `ms`, or less when `signal` aborts first; never rejects (loops check the signal themselves) */
  pause(ms: number, signal?: AbortSignal): Promise<void>;
  /** calls `fn` every `ms` until the returned function is called */
  every(ms: number, fn: () => void): () => void;
}

/** Sleeps, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits `ms`, or less if `signal` aborts first; never rejects. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  pause,
  every(ms, fn) {
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
  },
};

export interface PollOptions {
  /** what we wait for, for progress lines: "the load balancer to be active" */
  what: string;
  timeoutMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
}
export interface PollResult<T> {
  done: boolean;
  value: T;
  elapsedMs: number;
  polls: number;
}
export interface PollContext {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  signal: AbortSignal;
  progress?: (message: string) => void;
}

/**
 * Calls `probe` until it says done or the time is up, sleeping with a growing delay between calls
 * (bounded by maxDelayMs and by the time left). Never throws on timeout: the caller decides.
 */
export async function pollUntil<T>(ctx: PollContext, opts: PollOptions, probe: () => Promise<{ done: boolean; value: T; status: string }>): Promise<PollResult<T>> {
  const start = ctx.now();
  let delay = opts.initialDelayMs ?? 1_000;
  const maxDelay = opts.maxDelayMs ?? 15_000;
  const factor = opts.factor ?? 1.6;
  let polls = 0;
  for (;;) {
    polls++;
    const r = await probe();
    const elapsedMs = ctx.now() - start;
    if (r.done) return { done: true, value: r.value, elapsedMs, polls };
    const left = opts.timeoutMs - elapsedMs;
    if (left <= 0) return { done: false, value: r.value, elapsedMs, polls };
    ctx.progress?.(`waiting for ${opts.what}: ${r.status} (${formatDuration(elapsedMs)})`);
    await ctx.sleep(Math.min(delay, left), ctx.signal);
    delay = Math.min(maxDelay, Math.round(delay * factor));
  }
}
