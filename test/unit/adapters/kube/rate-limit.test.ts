import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT, RateLimiter, rateLimitFromEnv, type Clock } from '../../../../src/adapters/kube/rate-limit.js';

/** A fake clock: sleeping advances time instantly and records how long. */
function fakeClock(): Clock & { t: number; sleeps: number[] } {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

const apiError = (code: number, headers: Record<string, string> = {}) => Object.assign(new Error(`HTTP-Code: ${code}`), { code, headers });

describe('RateLimiter (token bucket)', () => {
  it('lets a burst through at once, then paces at qps', async () => {
    const clock = fakeClock();
    const rl = new RateLimiter({ ...DEFAULT_RATE_LIMIT, qps: 10, burst: 3 }, clock);
    const at: number[] = [];
    await Promise.all(Array.from({ length: 7 }, () => rl.run(async () => void at.push(clock.now()))));
    expect(at.slice(0, 3)).toEqual([0, 0, 0]);
    // 4 more at 10/s: one every 100 ms
    expect(at.slice(3)).toEqual([100, 200, 300, 400]);
  });

  it('refills over idle time, up to the burst', async () => {
    const clock = fakeClock();
    const rl = new RateLimiter({ ...DEFAULT_RATE_LIMIT, qps: 5, burst: 2 }, clock);
    await rl.run(async () => 1);
    await rl.run(async () => 1);
    clock.t += 10_000; // idle a long time: the bucket holds 2, not 50
    const at: number[] = [];
    for (let i = 0; i < 3; i++) await rl.run(async () => void at.push(clock.now()));
    expect(at).toEqual([10_000, 10_000, 10_200]);
  });

  it('retries 429 with exponential backoff and jitter, then succeeds', async () => {
    const clock = fakeClock();
    const rl = new RateLimiter({ ...DEFAULT_RATE_LIMIT, qps: 1000, burst: 1000, baseBackoffMs: 100 }, clock, () => 0.5);
    let n = 0;
    const out = await rl.run(async () => {
      if (++n <= 3) throw apiError(429);
      return 'ok';
    });
    expect(out).toBe('ok');
    expect(n).toBe(4);
    expect(rl.throttled).toBe(3);
    // backoff = exp/2 + 0.5 * exp/2 for exp = 100, 200, 400
    expect(clock.sleeps.filter((s) => s >= 50)).toEqual([75, 150, 300]);
  });

  it('honours Retry-After', async () => {
    const clock = fakeClock();
    const rl = new RateLimiter({ ...DEFAULT_RATE_LIMIT, qps: 1000, burst: 1000 }, clock);
    let n = 0;
    await rl.run(async () => {
      if (++n === 1) throw apiError(429, { 'retry-after': '2' });
      return 'ok';
    });
    expect(clock.sleeps).toContain(2000);
  });

  it('gives up after maxRetries and throws the 429', async () => {
    const clock = fakeClock();
    const rl = new RateLimiter({ ...DEFAULT_RATE_LIMIT, maxRetries: 2 }, clock);
    let n = 0;
    await expect(
      rl.run(async () => {
        n++;
        throw apiError(429);
      }),
    ).rejects.toMatchObject({ code: 429 });
    expect(n).toBe(3);
  });

  it('does not retry other errors', async () => {
    const rl = new RateLimiter(DEFAULT_RATE_LIMIT, fakeClock());
    let n = 0;
    await expect(
      rl.run(async () => {
        n++;
        throw apiError(403);
      }),
    ).rejects.toMatchObject({ code: 403 });
    expect(n).toBe(1);
  });

  it('real clock: 6 calls at qps 20 / burst 2 take about 200 ms', async () => {
    const rl = new RateLimiter({ ...DEFAULT_RATE_LIMIT, qps: 20, burst: 2 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => rl.run(async () => 1)));
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(180);
    expect(took).toBeLessThan(1500);
  });
});

describe('rateLimitFromEnv', () => {
  it('reads GAMEDAY_KUBE_* over the defaults and ignores nonsense', () => {
    expect(rateLimitFromEnv({ GAMEDAY_KUBE_QPS: '5', GAMEDAY_KUBE_BURST: '7', GAMEDAY_KUBE_MAX_RETRIES: '0' })).toMatchObject({ qps: 5, burst: 7, maxRetries: 0 });
    expect(rateLimitFromEnv({ GAMEDAY_KUBE_QPS: 'fast', GAMEDAY_KUBE_BURST: '-1' })).toMatchObject({ qps: DEFAULT_RATE_LIMIT.qps, burst: DEFAULT_RATE_LIMIT.burst });
  });
});
