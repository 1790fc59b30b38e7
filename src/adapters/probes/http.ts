import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpProbePort } from '../../ports/probes.js';
import { callSignal } from '../call-scope.js';

/** HTTP through Node's built-in fetch: no client to load. */
export const httpProbePort: HttpProbePort = {
  async get(url, { timeoutMs, signal }) {
    const started = performance.now();
    const res = await fetch(url, { signal: callSignal(timeoutMs, signal), redirect: 'manual', headers: { 'user-agent': 'gameday-probe' } });
    const body = await res.text();
    return { status: res.status, body, latencyMs: Math.round(performance.now() - started) };
  },
};

/**
 * The environment's `resolve` map applied (curl --resolve): a mapped host is connected at the given
 * address:port with its own Host header (and TLS server name); other hosts go through fetch.
 */
export function httpProbePortFor(resolve: Record<string, string> | undefined): HttpProbePort {
  const map = new Map(Object.entries(resolve ?? {}).map(([host, to]) => [host.toLowerCase(), to]));
  if (map.size === 0) return httpProbePort;
  return {
    get(url, opts) {
      const u = new URL(url);
      const to = map.get(u.hostname.toLowerCase());
      return to === undefined ? httpProbePort.get(url, opts) : getVia(u, to, opts);
    },
  };
}

const MAX_BODY = 1 << 20;

function getVia(u: URL, to: string, { timeoutMs, signal }: { timeoutMs: number; signal: AbortSignal }): Promise<{ status: number; body: string; latencyMs: number }> {
  const [address, port] = [to.slice(0, to.lastIndexOf(':')), Number(to.slice(to.lastIndexOf(':') + 1))];
  const started = performance.now();
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({
      host: address,
      port,
      path: `${u.pathname}${u.search}`,
      method: 'GET',
      headers: { host: u.host, 'user-agent': 'gameday-probe' },
      servername: u.hostname,
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      agent: false,
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < MAX_BODY) body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, latencyMs: Math.round(performance.now() - started) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
