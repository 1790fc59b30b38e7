import { formatDuration } from '../core/duration.js';
import { failureDetail, type ProbeOf } from './contract.js';

export const httpProbe: ProbeOf<'http'> = {
  type: 'http',
  needs: ['http'],
  describe: (s) => `GET ${s.url} → ${s.expectStatus ?? '2xx'}${s.bodyContains ? ` containing "${s.bodyContains}"` : ''}${s.maxLatency ? ` within ${formatDuration(s.maxLatency)}` : ''}`,
  async check(spec, { ports, timeoutMs, signal }) {
    let res;
    try {
      res = await ports.http.get(spec.url, { timeoutMs, signal });
    } catch (e) {
      return { ok: false, detail: failureDetail(e) };
    }
    const statusOk = spec.expectStatus === undefined ? res.status >= 200 && res.status < 300 : res.status === spec.expectStatus;
    if (!statusOk) return { ok: false, detail: `HTTP ${res.status}`, latencyMs: res.latencyMs };
    if (spec.bodyContains !== undefined && !res.body.includes(spec.bodyContains)) return { ok: false, detail: `HTTP ${res.status}, body lacks "${spec.bodyContains}"`, latencyMs: res.latencyMs };
    if (spec.maxLatency !== undefined && res.latencyMs > spec.maxLatency) return { ok: false, detail: `HTTP ${res.status} but slow (over ${formatDuration(spec.maxLatency)})`, latencyMs: res.latencyMs };
    return { ok: true, detail: `HTTP ${res.status}`, latencyMs: res.latencyMs };
  },
};
