import { describe, expect, it } from 'vitest';
import { listAll, PAGE_SIZE } from '../../../../src/adapters/kube/raw-list.js';

describe('listAll: a list read page by page', () => {
  it('follows continue tokens to the last page, asking limit items each time with the query kept', async () => {
    const asked: string[] = [];
    const pages: Record<string, { items: number[]; metadata: { continue?: string } }> = {
      '': { items: [1, 2], metadata: { continue: 'a' } },
      a: { items: [3, 4], metadata: { continue: 'b' } },
      b: { items: [5], metadata: { continue: '' } },
    };
    const got = await listAll(
      async (q) => {
        asked.push(q);
        return pages[new URL(q, 'https://x').searchParams.get('continue') ?? '']!;
      },
      '/api/v1/namespaces/shop/pods',
      { labelSelector: 'app=checkout', fieldSelector: undefined },
      (i) => (i as number) * 10,
      2,
    );
    expect(got).toEqual([10, 20, 30, 40, 50]);
    expect(asked).toEqual([
      '/api/v1/namespaces/shop/pods?labelSelector=app%3Dcheckout&limit=2',
      '/api/v1/namespaces/shop/pods?labelSelector=app%3Dcheckout&limit=2&continue=a',
      '/api/v1/namespaces/shop/pods?labelSelector=app%3Dcheckout&limit=2&continue=b',
    ]);
  });

  it('one page when the server gives no token; an answer without items is an empty page; kubectl\'s page size by default', async () => {
    const asked: string[] = [];
    expect(await listAll(async (q) => (asked.push(q), {}), '/api/v1/namespaces/x/pods', {}, (i) => i)).toEqual([]);
    expect(asked).toEqual([`/api/v1/namespaces/x/pods?limit=${PAGE_SIZE}`]);
    expect(PAGE_SIZE).toBe(500);
  });

  it('an error on a later page is the caller\'s: no half list comes back', async () => {
    let n = 0;
    const failing = listAll(async () => (++n === 1 ? { items: [1], metadata: { continue: 'c' } } : Promise.reject(Object.assign(new Error('HTTP 410'), { code: 410 }))), '/p', {}, (i) => i);
    await expect(failing).rejects.toMatchObject({ code: 410 });
  });
});
