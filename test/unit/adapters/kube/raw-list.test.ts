import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadKubeModule } from '../../../../src/adapters/kube/client.js';
import { jsonGetter, listAll, PAGE_SIZE } from '../../../../src/adapters/kube/raw-list.js';

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

describe('jsonGetter: one GET as client-node would send it', () => {
  it('keeps the server URL\'s own path, sends the kubeconfig\'s token, parses the JSON; an HTTP error carries its code and body', async () => {
    const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      if (req.url?.includes('/missing')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","message":"pods \\"x\\" not found"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[{"metadata":{"name":"a"}}],"metadata":{}}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const { KubeConfig } = await loadKubeModule();
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'c', server: `http://127.0.0.1:${port}/k8s/clusters/c-1/`, skipTLSVerify: true }], // client-node allows plain http only so
        users: [{ name: 'u', token: 'secret-token' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      const get = jsonGetter(kc);
      expect(await get('/api/v1/namespaces/shop/pods?limit=2')).toEqual({ items: [{ metadata: { name: 'a' } }], metadata: {} });
      expect(seen[0]!.url).toBe('/k8s/clusters/c-1/api/v1/namespaces/shop/pods?limit=2');
      expect(seen[0]!.headers.authorization).toBe('Bearer secret-token');
      expect(seen[0]!.headers.accept).toBe('application/json');
      await expect(get('/api/v1/namespaces/shop/pods/missing')).rejects.toMatchObject({ code: 404, body: expect.stringContaining('not found') });
    } finally {
      server.close();
    }
  });
});
