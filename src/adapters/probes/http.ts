import type { HttpProbePort } from '../../ports/probes.js';

/** HTTP through Node's built-in fetch: no client to load. */
export const httpProbePort: HttpProbePort = {
  async get(url, { timeoutMs, signal }) {
    const started = performance.now();
    const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]), redirect: 'manual', headers: { 'user-agent': 'gameday-probe' } });
    const body = await res.text();
    return { status: res.status, body, latencyMs: Math.round(performance.now() - started) };
  },
};
