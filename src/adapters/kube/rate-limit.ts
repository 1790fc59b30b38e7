/**
 * Client-side throttling for the Kubernetes API: @kubernetes/client-node has none. A token bucket
 * (qps, burst) paces every call; a 429 (API priority and fairness, or a proxy) is retried after
 * the server's Retry-After, else exponential backoff with jitter, a bounded number of times.
 */
export interface RateLimitOptions {
  /** sustained calls per second */
  qps: number;
  /** calls allowed at once before pacing starts */
  burst: number;
  /** retries of a call answered 429 */
  maxRetries: number;
  /** first backoff when the server gives no Retry-After; doubles each retry */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

/**
 * 50 calls/s, in bursts of 300. The steady rate is what Kubernetes clients commonly raise
 * client-go's 5/s to; the burst lets a kill of up to 300 pods go out without waiting (at 20/40 a
 * 100-pod kill took 3 s, and at bursts of 100 a 500-pod kill took 8 s, behind Chaos Toolkit's
 * sequential deletes, 6.7–15 s: issue 15). A burst never means 300 calls in flight: the shared
 * keep-alive agent sends at most MAX_SOCKETS (16) at once (bounded.ts). The API server still
 * protects itself (priority and fairness), and its 429s are honoured below.
 */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { qps: 50, burst: 300, maxRetries: 5, baseBackoffMs: 250, maxBackoffMs: 10_000 };

/** Options from GAMEDAY_KUBE_QPS / GAMEDAY_KUBE_BURST / GAMEDAY_KUBE_MAX_RETRIES, over the defaults. */
export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env, base: RateLimitOptions = DEFAULT_RATE_LIMIT): RateLimitOptions {
  const num = (v: string | undefined, min: number): number | undefined => {
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) && n >= min ? n : undefined;
  };
  return {
    ...base,
    qps: num(env.GAMEDAY_KUBE_QPS, 0.1) ?? base.qps,
    burst: Math.floor(num(env.GAMEDAY_KUBE_BURST, 1) ?? base.burst),
    maxRetries: Math.floor(num(env.GAMEDAY_KUBE_MAX_RETRIES, 0) ?? base.maxRetries),
  };
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}
const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** status code of a thrown API error (ApiException has `.code`), if any */
const statusOf = (e: unknown): number | undefined => {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'number' ? c : undefined;
};
const retryAfterMs = (e: unknown): number | undefined => {
  const h = (e as { headers?: Record<string, string> } | null)?.headers;
  const v = h?.['retry-after'] ?? h?.['Retry-After'];
  if (v === undefined) return undefined;
  const s = Number(v);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
};

export class RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  /** how many calls were answered 429 (for tests and --debug) */
  throttled = 0;

  constructor(
    readonly opts: RateLimitOptions = DEFAULT_RATE_LIMIT,
    private readonly clock: Clock = realClock,
    private readonly random: () => number = Math.random,
  ) {
    this.tokens = opts.burst;
    this.last = clock.now();
  }

  /** Waits for a token. Callers are served in order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = this.clock.now();
        this.tokens = Math.min(this.opts.burst, this.tokens + ((now - this.last) / 1000) * this.opts.qps);
        this.last = now;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.opts.qps) * 1000));
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Runs one API call under the limiter, retrying 429s with backoff. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.acquire();
      try {
        return await call();
      } catch (e) {
        if (statusOf(e) !== 429 || attempt >= this.opts.maxRetries) throw e;
        this.throttled++;
        const exp = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** attempt);
        const wait = retryAfterMs(e) ?? exp / 2 + this.random() * (exp / 2);
        await this.clock.sleep(Math.min(wait, this.opts.maxBackoffMs));
      }
    }
  }
}
