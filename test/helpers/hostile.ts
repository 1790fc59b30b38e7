/**
 * Shared by the property tests of issue 16: values a careless or unlucky user writes (prototype
 * names, empty values, numbers in the wrong notation, durations past a timer's limit, non-http
 * URLs, long and control-character text), and the invariants every run of the CLI must hold.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.js';
import type { InProcessResult } from './in-process-cli.js';

export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];

export const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
  {
    weight: 5,
    arbitrary: fc.constantFrom('', ' ', '0', '-5', '1e3', '0x10', '1_000', 'true', 'false', 'null', '~', 'NaN', 'Infinity', '12345678901234567890123', '3.7', '0.5', '5m', '90s', '1h30m', '0s', '30d', '24d', '25d', '99999999h', '5 minutes', 'ftp://x/y', 'file:///etc/passwd', 'javascript:alert(1)', 'http://127.0.0.1:1', 'https://example.com/x', '\u0000', '\uFFFD', 'é😀', '../../etc/passwd', '-', '--help', 'a=b,c', 'namespace=shop,selector=app=checkout', 'count=0x10', 'x'.repeat(5000)),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileText },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 3, 16, 1e21, 2 ** 31, 2 ** 53 + 2, 0.5)) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.integer(), hostileText), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...PROTOTYPE_NAMES, 'a', 'count'), fc.integer(), { maxKeys: 2 }) },
);

/** What every run of the CLI must hold, whatever it was given. */
export function cliHolds(r: InProcessResult, what: string): void {
  const said = `${what.slice(0, 300)}\n--- stdout\n${r.stdout.slice(0, 1500)}\n--- stderr\n${r.stderr.slice(0, 1500)}`;
  expect(r.code, `hang (no answer in time): ${said}`).not.toBe(-1);
  expect(EXIT_CODES, `exit code ${r.code} not documented: ${said}`).toContain(r.code);
  expect(r.code, `a bug (exit 70): ${said}`).not.toBe(70);
  expect(r.stderr, said).not.toMatch(/this is a bug|TypeError|RangeError|Cannot read properties|Converting circular| {4}at /);
  // one mistake, one error line (plus its hint); values shortened in messages, never echoed whole
  // (stdout may show a long value the user really asked for, e.g. a valid target's name in a plan)
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  expect(errors.length, `more than one error line: ${said}`).toBeLessThanOrEqual(1);
  for (const l of r.stderr.split('\n')) expect(l.length, `a ${l.length}-character message: ${said}`).toBeLessThan(1200);
  if (r.code !== 0) for (const l of r.stdout.split('\n')) expect(l.length, `a ${l.length}-character problem line: ${said}`).toBeLessThan(1200);
}
