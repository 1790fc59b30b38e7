/**
 * The cluster journal's synchronous API calls (src/adapters/kube/sync-api.ts): the error paths a
 * healthy kube-apiserver does not produce. A refused port and a server that accepts but never
 * answers both end in one UNREACHABLE error naming the server and the call, the second within the
 * call's timeout; a late answer to a timed-out call is not taken for the next call's answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncKubeApi } from '../../../src/adapters/kube/sync-api.js';

let silent: Server;
let port: number;
let closedPort: number;

beforeAll(async () => {
  silent = createServer(() => {}); // accepts, never answers
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  port = (silent.address() as AddressInfo).port;
  const spare = createServer();
  await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
  closedPort = (spare.address() as AddressInfo).port;
  await new Promise((r) => spare.close(r));
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((r) => silent.close(r));
});

describe('SyncKubeApi', () => {
  it('a refused connection is UNREACHABLE at once, naming the server and the call', () => {
    const api = new SyncKubeApi({ server: `http://127.0.0.1:${closedPort}` }, 2_000);
    const started = Date.now();
    expect(() => api.request('GET', '/api/v1/namespaces/gameday-system/configmaps/x')).toThrow(
      expect.objectContaining({ code: 'UNREACHABLE', message: expect.stringMatching(new RegExp(`^cannot reach the Kubernetes API server http://127.0.0.1:${closedPort} \\(GET /api/v1/namespaces/gameday-system/configmaps/x\\): ECONNREFUSED`)) }),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    api.close();
  });

  it('a server that never answers is UNREACHABLE within the timeout, and stays so for the next call', () => {
    const api = new SyncKubeApi({ server: `http://127.0.0.1:${port}` }, 400);
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      expect(() => api.request('PUT', '/x', { a: 1 })).toThrow(expect.objectContaining({ code: 'UNREACHABLE', message: expect.stringContaining('no answer within 400 ms') }));
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(350);
      expect(took).toBeLessThan(3_000);
    }
    api.close();
  });
});
