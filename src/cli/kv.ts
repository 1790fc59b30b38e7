/**
 * Parsing of command-line values (pure): `--target k=v,k=v`, `--param k=v`, `--seed`, `--at`.
 * Values may hold '=' and ',' (label selectors: selector=app=checkout,tier=web): a comma starts a
 * new pair only when what follows is one of the known keys (or, with no known keys, any `word=`).
 *
 * Command-line text is turned into numbers and booleans here, strictly, and only here: the
 * injectors' schemas take YAML values as they are (no coercion), so `count: true` in a scenario is
 * a mistake, and so is `--param count=1e3`.
 */
import { MAX_DURATION_MS, formatDuration, parseDuration } from '../core/duration.js';
import { GamedayError } from '../core/errors.js';
import { quoted } from '../core/text.js';

export function parseTargetList(text: string, knownKeys: readonly string[] = []): Record<string, string> {
  // a Map, not an object: a key such as `__proto__` or `constructor` is just an unknown key
  const out = new Map<string, string>();
  const segments = text.split(',');
  const startsPair = (seg: string) => {
    const m = /^\s*([A-Za-z][\w.-]*)\s*=/.exec(seg);
    return m ? knownKeys.length === 0 || knownKeys.includes(m[1]!) : false;
  };
  let current: string | undefined;
  const flush = () => {
    if (current === undefined) return;
    const i = current.indexOf('=');
    const key = current.slice(0, i).trim();
    if (out.has(key)) throw new GamedayError('INVALID_INPUT', `--target: ${quoted(key, 40)} given twice`);
    out.set(key, current.slice(i + 1).trim());
  };
  for (const seg of segments) {
    if (current === undefined || startsPair(seg)) {
      flush();
      if (!seg.includes('=')) throw new GamedayError('INVALID_INPUT', `--target: ${quoted(seg, 40)} is not key=value`, { hint: 'write e.g. --target namespace=shop,selector=app=checkout' });
      current = seg;
    } else current += `,${seg}`;
  }
  flush();
  return Object.fromEntries(out); // own properties only, even for `__proto__`
}

/** --param k=v (repeatable): whole numbers and true/false become numbers and booleans. */
export function parseParams(items: string[]): Record<string, unknown> {
  const out = new Map<string, unknown>();
  for (const item of items) {
    const i = item.indexOf('=');
    if (i <= 0) throw new GamedayError('INVALID_INPUT', `--param: ${quoted(item, 40)} is not key=value`, { hint: 'write e.g. --param count=2' });
    const key = item.slice(0, i).trim();
    out.set(key, scalar(item.slice(i + 1).trim(), key)); // a later value wins, as with any repeated flag
  }
  return Object.fromEntries(out);
}

/**
 * Text → number or boolean, strictly: `12`, `-3`, `0.5`, `true`, `false`. Anything else stays text
 * (and an injector expecting a number says so): `1e3`, `0x10`, `1_000`, ` 12`, `Infinity`.
 */
export function scalar(v: string, key = 'value'): string | number | boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    if (/^-?\d+$/.test(v) && !Number.isSafeInteger(n)) throw new GamedayError('INVALID_INPUT', `--param ${quoted(key, 40)}: ${quoted(v, 30)} is too large a number`);
    return n;
  }
  return v;
}

/** The seed of the target choice (a 32-bit PRNG seed): a whole number, 0 … 4294967295. */
export const MAX_SEED = 2 ** 32 - 1;
export function parseSeed(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  const n = /^\d{1,10}$/.test(s) ? Number(s) : NaN;
  if (!(n <= MAX_SEED)) throw new GamedayError('INVALID_INPUT', `--seed must be a whole number from 0 to ${MAX_SEED}, not ${quoted(s, 30)}`);
  return n;
}

/** A --duration flag: bounded like a scenario's durations. */
export function parseDurationFlag(v: unknown, flag = '--duration'): number {
  const s = String(v);
  const ms = parseDuration(s);
  if (ms === undefined || ms <= 0) throw new GamedayError('INVALID_INPUT', `${flag}: not a duration: ${quoted(s, 40)}`, { hint: 'write e.g. 90s, 5m, 1h' });
  if (ms > MAX_DURATION_MS) throw new GamedayError('INVALID_INPUT', `${flag}: ${quoted(s, 40)} is too long: at most ${formatDuration(MAX_DURATION_MS)}`);
  return ms;
}

/** An epoch-ms time (the hidden deadline keeper's --at): digits only, within a sane range. */
export function parseEpochMs(v: unknown, flag: string): number {
  const s = String(v);
  const n = /^\d{1,16}$/.test(s) ? Number(s) : NaN;
  // from 2001 to 2286: anything else is a mistake, and reverting at once (NaN < now) would be a surprise
  if (!(n >= 1e12 && n < 1e13)) throw new GamedayError('INVALID_INPUT', `${flag} must be a time in epoch milliseconds, not ${quoted(s, 30)}`);
  return n;
}
