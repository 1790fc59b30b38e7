import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxCodeFingerprint } from '../../../src/sandbox/code-fingerprint.js';

describe('the sandbox code fingerprint (a running sandbox started by other code is restarted)', () => {
  const tree = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'gd-fp-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };

  it('is the same for the same files, wherever they are, and changes with any byte or name under the tree', () => {
    const base = { 'sandbox.ts': 'export {}', 'shop/pg.go': 'package main', 'edge/routing.ts': 'route' };
    const a = sandboxCodeFingerprint(tree(base));
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(sandboxCodeFingerprint(tree(base))).toBe(a);
    expect(sandboxCodeFingerprint(tree({ ...base, 'shop/pg.go': 'package main ' }))).not.toBe(a);
    expect(sandboxCodeFingerprint(tree({ 'sandbox.ts': 'export {}', 'shop/pg2.go': 'package main', 'edge/routing.ts': 'route' }))).not.toBe(a);
  });

  it("is empty when the source is not there (then a running sandbox is kept: nothing to compare)", () => {
    expect(sandboxCodeFingerprint(join(tmpdir(), 'gd-fp-missing-dir-xyz'))).toBe('');
  });

  it("this checkout's src/sandbox has one", () => {
    expect(sandboxCodeFingerprint()).toMatch(/^[0-9a-f]{16}$/);
  });
});
