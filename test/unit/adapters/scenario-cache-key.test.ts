import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentKey } from '../../../src/adapters/scenario-cache.js';

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
