/**
 * Parsing of `--target k=v,k=v` and `--param k=v` (pure). Values may hold '=' and ',' (label
 * selectors: selector=app=checkout,tier=web): a comma starts a new pair only when what follows
 * is one of the known keys (or, with no known keys, any `word=`).
 */
import { GamedayError } from '../core/errors.js';

export function parseTargetList(text: string, knownKeys: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const segments = text.split(',');
  const startsPair = (seg: string) => {
    const m = /^\s*([A-Za-z][\w.-]*)\s*=/.exec(seg);
    return m ? (knownKeys.length === 0 || knownKeys.includes(m[1]!)) : false;
  };
  let current: string | undefined;
  const flush = () => {
    if (current === undefined) return;
    const i = current.indexOf('=');
    const key = current.slice(0, i).trim();
    if (key in out) throw new GamedayError('INVALID_INPUT', `--target: "${key}" given twice`);
    out[key] = current.slice(i + 1).trim();
  };
  for (const seg of segments) {
    if (current === undefined || startsPair(seg)) {
      flush();
      if (!seg.includes('=')) throw new GamedayError('INVALID_INPUT', `--target: "${seg}" is not key=value`, { hint: 'write e.g. --target namespace=shop,selector=app=checkout' });
      current = seg;
    } else current += `,${seg}`;
  }
  flush();
  return out;
}

/** --param k=v (repeatable): numbers and booleans become numbers and booleans. */
export function parseParams(items: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const i = item.indexOf('=');
    if (i <= 0) throw new GamedayError('INVALID_INPUT', `--param: "${item}" is not key=value`, { hint: 'write e.g. --param count=2' });
    out[item.slice(0, i).trim()] = scalar(item.slice(i + 1).trim());
  }
  return out;
}

export function scalar(v: string): string | number | boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}
