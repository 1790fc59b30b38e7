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
