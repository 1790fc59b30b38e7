import { failureDetail, type ProbeOf } from './contract.js';

export const tcpProbe: ProbeOf<'tcp'> = {
  type: 'tcp',
  needs: ['tcp'],
  describe: (s) => `TCP connect ${s.host}:${s.port}`,
  async check(spec, { ports, timeoutMs, signal }) {
    try {
      const { latencyMs } = await ports.tcp.connect(spec.host, spec.port, { timeoutMs, signal });
      return { ok: true, detail: 'connected', latencyMs };
    } catch (e) {
      return { ok: false, detail: failureDetail(e) };
    }
  },
};
