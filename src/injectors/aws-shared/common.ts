/**
 * Small helpers shared by the AWS injectors: the opt-in tag check and tag target parsing. Pure (no
 * SDK imports); the bounded polling loop is core/clock.ts's pollUntil.
 */
import type { InjectorContext } from '../contract.js';
import { splitKeyValue } from '../../core/environment.js';

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

