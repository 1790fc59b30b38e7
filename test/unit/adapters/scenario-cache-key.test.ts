import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentKey, fileIdentity, pathIdentity, RACY_MS, scenarioCache } from '../../../src/adapters/scenario-cache.js';

describe('contentKey: the name of a scenario-cache entry', () => {
  it('is stable, 22 characters a file name may hold, and changes with any byte', () => {
    const a = Buffer.from('id: checkout-pod-kill\ntitle: Checkout pods vanish\n');
    expect(contentKey(a)).toBe(contentKey(Buffer.from(a)));
    expect(contentKey(a)).toMatch(/^[0-9a-z]{22}$/);
    const b = Buffer.from(a);
    b[5] = b[5]! ^ 1; // one bit of one byte
    expect(contentKey(b)).not.toBe(contentKey(a));
    expect(contentKey(Buffer.alloc(0))).not.toBe(contentKey(Buffer.alloc(1)));
  });

  it('no two of 20,000 random contents share a key', () => {
    const keys = new Set<string>();
    const inputs = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 64 }), { numRuns: 20_000, seed: 42 });
    const distinct = new Set(inputs.map((x) => Buffer.from(x).toString('hex')));
    for (const hex of distinct) keys.add(contentKey(Buffer.from(hex, 'hex')));
    expect(keys.size).toBe(distinct.size);
  });
});

describe('scenarioCache: entries by bytes and by identity on disk', () => {
  const dep = { args: ['runbooks/x.md', 'scenarios/a.yaml'] as [string, string], answer: { exists: true, anchors: [] } };
  it('an entry named by a file\'s identity answers only for the name, build and switch it was stored under', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gd-cache-unit-'));
    try {
      const cache = scenarioCache<string>('build-1', dir)!;
      cache.put('scenarios/a.yaml', { bytes: Buffer.from('id: a\n'), identity: '1-2-3-4-5' }, 'checked a', [dep]);
      expect(cache.get('scenarios/a.yaml', { identity: '1-2-3-4-5' }, () => true)).toBe('checked a');
      expect(cache.get('scenarios/a.yaml', { bytes: Buffer.from('id: a\n') }, () => true)).toBe('checked a');
      // the same file shown by another name (another working directory), or checked by another build: a miss
      expect(cache.get('other/a.yaml', { identity: '1-2-3-4-5' }, () => true)).toBeUndefined();
      expect(scenarioCache<string>('build-2', dir)!.get('scenarios/a.yaml', { identity: '1-2-3-4-5' }, () => true)).toBeUndefined();
      // a dependency that no longer holds: a miss either way
      expect(cache.get('scenarios/a.yaml', { identity: '1-2-3-4-5' }, () => false)).toBeUndefined();
      // a hit by bytes under a new identity is stored under it
      expect(cache.get('scenarios/a.yaml', { bytes: Buffer.from('id: a\n'), identity: '9-9-9-9-9' }, () => true)).toBe('checked a');
      expect(cache.get('scenarios/a.yaml', { identity: '9-9-9-9-9' }, () => true)).toBe('checked a');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fileIdentity: a regular file has one, it changes when the file is rewritten; a folder, a missing path or a file changed just now has none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gd-identity-'));
    try {
      const f = join(dir, 's.yaml');
      writeFileSync(f, 'id: a\n');
      // within RACY_MS of its change a file is not trusted by identity (two writes may share a clock tick)
      expect(fileIdentity(f)).toBeUndefined();
      expect(pathIdentity(f)).toBe('racy');
      const later = Date.now() + RACY_MS + 1;
      const first = fileIdentity(f, later);
      expect(first).toMatch(/^\d+-\d+-\d+-\d+-\d+$/);
      expect(fileIdentity(f, later)).toBe(first);
      writeFileSync(f, 'id: bb\n');
      expect(fileIdentity(f, Date.now() + RACY_MS + 1)).not.toBe(first);
      expect(fileIdentity(dir, later)).toBeUndefined();
      expect(pathIdentity(dir, later)).toBe('none');
      expect(pathIdentity(join(dir, 'missing.yaml'), later)).toBe('none');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
