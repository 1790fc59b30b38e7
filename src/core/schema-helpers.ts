import { z } from 'zod';
import { parseDuration } from './duration.js';

/** A duration written as text ("30s", "5m", "1h30m"), parsed to milliseconds. */
export const durationSchema = z.string().transform((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `not a duration: "${s}" (write e.g. 30s, 5m, 1h30m)` });
    return z.NEVER;
  }
  return ms;
});

export const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** Scalars a target or a param may hold on the command line (k=v) and in YAML. */
export const scalar = z.union([z.string(), z.number(), z.boolean()]);
