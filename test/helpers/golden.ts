/**
 * Golden files: an output compared byte for byte with a file checked in under test/golden/.
 * `UPDATE_GOLDEN=1` rewrites the files instead (then read the diff before committing it); without
 * it a missing or different golden fails the test.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

export const GOLDEN_DIR = join(import.meta.dirname, '..', 'golden');
export const updatingGoldens = (): boolean => process.env.UPDATE_GOLDEN === '1';

/** The golden's text, or a failure naming how to create it. */
export function readGolden(file: string): string {
  if (!existsSync(file)) throw new Error(`no golden file ${file}: run the test with UPDATE_GOLDEN=1, then read what it wrote`);
  return readFileSync(file, 'utf8');
}

/** Asserts `actual` equals the golden file byte for byte (or rewrites it under UPDATE_GOLDEN=1). */
export function expectGolden(file: string, actual: string): void {
  if (updatingGoldens()) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(actual, `differs from ${file} (UPDATE_GOLDEN=1 rewrites it)`).toBe(readGolden(file));
}
