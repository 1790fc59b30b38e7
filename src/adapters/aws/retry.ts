/**
 * Throttling: the SDK clients already retry (maxAttempts), but a drill that polls for minutes on a
 * busy account still meets `Throttling` / `RequestLimitExceeded`. Every port call goes through
 * `withRetry`: bounded exponential backoff with jitter, on throttling errors only.
 */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'RequestThrottled',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
  'SlowDown',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
]);

export function isThrottling(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const err = e as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  return THROTTLING.has(err.name ?? '') || THROTTLING.has(err.Code ?? '') || err.$metadata?.httpStatusCode === 429 || err.$retryable?.throttling === true;
}

export interface RetryPolicy {
  /** total tries, the first included */
  attempts: number;
  baseMs: number;
  capMs: number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const defaultRetryPolicy = (): RetryPolicy => ({
  attempts: 6,
  baseMs: 250,
  capMs: 8_000,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  random: Math.random,
});

/** The delay before retry number `n` (1-based): exponential, capped, with "equal jitter" (half fixed, half random). */
export function backoffDelay(n: number, p: Pick<RetryPolicy, 'baseMs' | 'capMs' | 'random'>): number {
  const exp = Math.min(p.capMs, p.baseMs * 2 ** (n - 1));
  return Math.round(exp / 2 + (exp / 2) * p.random());
}

export async function withRetry<T>(policy: RetryPolicy, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!isThrottling(e) || attempt >= policy.attempts) throw e;
      await policy.sleep(backoffDelay(attempt, policy));
    }
  }
}

/** The error's name when it is one of `names` ("not found" family), else undefined. */
export function errorNamed(e: unknown, ...names: string[]): boolean {
  if (!e || typeof e !== 'object') return false;
  const err = e as { name?: string; Code?: string };
  return names.includes(err.name ?? '') || names.includes(err.Code ?? '');
}
