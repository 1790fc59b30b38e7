import { z } from 'zod';
import { MAX_DURATION_MS, formatDuration, parseDuration } from './duration.js';
import { clip } from './text.js';

/**
 * A duration written as text ("30s", "5m", "1h30m"), parsed to milliseconds. Bounded by what a
 * timer can wait (Node fires a longer setTimeout at once, and a longer interval 1,000 times a second).
 */
export const durationSchema = z.string().transform((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `not a duration: "${clip(s, 40)}" (write e.g. 30s, 5m, 1h30m)` });
    return z.NEVER;
  }
  if (ms > MAX_DURATION_MS) {
    ctx.addIssue({ code: 'custom', message: `"${clip(s, 40)}" is too long: at most ${formatDuration(MAX_DURATION_MS)} (what a timer can wait)` });
    return z.NEVER;
  }
  return ms;
});

export const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** Scalars a target or a param may hold on the command line (k=v) and in YAML. */
export const scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * A whole number within bounds, as written in YAML: no coercion. `count: true`, `count: [3]`,
 * `count: "0x10"` and an empty value are mistakes, not 1, 3, 16 and 0. (The command line turns
 * `--param count=3` into a number itself, strictly: src/cli/kv.ts.)
 */
export const integer = (min: number, max: number) => z.number().int().min(min).max(max);

/** A number within bounds (no coercion, no Infinity). */
export const boundedNumber = (min: number, max: number) => z.number().min(min).max(max);

/** true or false, as written in YAML (the command line turns `--param x=true` into a boolean itself). */
export const flag = z.boolean();

/** An http(s) URL: no ftp:, file:, javascript: or other schemes where a web address is meant. */
export const httpUrl = z.url({ protocol: /^https?$/, error: 'write an http:// or https:// URL' });
