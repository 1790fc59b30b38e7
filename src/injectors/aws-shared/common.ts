/**
 * Small helpers shared by the AWS injectors: the opt-in tag check, tag target parsing, and a
 * bounded polling loop with backoff and progress lines. Pure or context-driven (no SDK imports).
 */
import type { InjectorContext } from '../contract.js';
import { splitKeyValue } from '../../core/environment.js';
import { formatDuration } from '../../core/duration.js';

export interface KV {
  Key?: string | undefined;
  Value?: string | undefined;
}

/** The environment's opt-in tag as [key, value]. */
export const optInTag = (ctx: Pick<InjectorContext, 'env'>): [string, string] => splitKeyValue(ctx.env.guards.optInTag);

export const hasTag = (tags: readonly KV[] | undefined, key: string, value: string): boolean => (tags ?? []).some((t) => t.Key === key && t.Value === value);

export const isOptedIn = (ctx: Pick<InjectorContext, 'env'>, tags: readonly KV[] | undefined): boolean => {
  const [k, v] = optInTag(ctx);
  return hasTag(tags, k, v);
};

export const tagValue = (tags: readonly KV[] | undefined, key: string): string | undefined => (tags ?? []).find((t) => t.Key === key)?.Value;

/** `key=value` → [key, value]; a bare key matches any value. */
export function parseTagFilter(text: string): { key: string; value?: string } {
  const i = text.indexOf('=');
  return i < 0 ? { key: text } : { key: text.slice(0, i), value: text.slice(i + 1) };
}
export const matchesTagFilter = (tags: readonly KV[] | undefined, f: { key: string; value?: string }): boolean =>
  (tags ?? []).some((t) => t.Key === f.key && (f.value === undefined || t.Value === f.value));

/** Tags the toolkit puts on what it creates. */
export const DRILL_TAG = 'gameday:drill';
export const RECREATED_FROM_TAG = 'gameday:recreated-from';

export interface PollOptions {
  /** what we wait for, for progress lines: "shop-public to be active" */
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

/**
 * Calls `probe` until it says done or the time is up, sleeping with a growing delay between calls
 * (bounded by maxDelayMs and by the time left). Never throws on timeout: the caller decides.
 */
export async function pollUntil<T>(ctx: Pick<InjectorContext, 'now' | 'sleep' | 'signal' | 'progress'>, opts: PollOptions, probe: () => Promise<{ done: boolean; value: T; status: string }>): Promise<PollResult<T>> {
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
    ctx.progress(`waiting for ${opts.what}: ${r.status} (${formatDuration(elapsedMs)})`);
    await ctx.sleep(Math.min(delay, left), ctx.signal);
    delay = Math.min(maxDelay, Math.round(delay * factor));
  }
}
