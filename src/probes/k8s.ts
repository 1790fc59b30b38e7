import type { WorkloadKind, WorkloadStatus } from '../ports/probes.js';
import { isGamedayError } from '../core/errors.js';
import { DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS, failureDetail, type ProbeOf, type ProbeResult } from './contract.js';
import { pause } from '../core/clock.js';

const parse = (resource: string) => {
  const [kind, name] = resource.split('/') as [string, string];
  return { kind: kind.toLowerCase() as WorkloadKind, name };
};

/** Pure: ready enough? Default: every desired replica ready (and at least one wanted). */
export function judgeWorkload(s: WorkloadStatus | undefined, minReady: number | undefined): ProbeResult {
  if (!s) return { ok: false, detail: 'not found' };
  const need = minReady ?? s.desired;
  return { ok: s.ready >= need, detail: `${s.ready}/${s.desired} ready${minReady !== undefined ? ` (need ${minReady})` : ''}` };
}

export const k8sProbe: ProbeOf<'k8s'> = {
  type: 'k8s',
  needs: ['workloads'],
  describe: (s) => `${s.resource} in ${s.namespace}: ${s.minReady === undefined ? 'all replicas' : `≥ ${s.minReady}`} ready`,
  async check(spec, { ports, timeoutMs, signal }) {
    const { kind, name } = parse(spec.resource);
    try {
      return judgeWorkload(await ports.workloads.get(spec.namespace, kind, name, { timeoutMs, signal }), spec.minReady);
    } catch (e) {
      return { ok: false, detail: `API: ${failureDetail(e)}` };
    }
  },
  async watch(spec, { ports, signal }, onResult) {
    const { kind, name } = parse(spec.resource);
    for (;;) {
      try {
        await ports.workloads.watch(spec.namespace, kind, name, (s) => onResult(judgeWorkload(s, spec.minReady)), signal);
        return;
      } catch (e) {
        // losing the API server is something to observe (it may be the fault itself), not a crash:
        // report it, poll, and try to watch again. Anything else is a bug in the probe: it crashes.
        if (signal.aborted) return;
        if (!(isGamedayError(e) && e.code === 'UNREACHABLE')) throw e;
        onResult({ ok: false, detail: `API: ${failureDetail(e)}` });
        await pause(spec.interval ?? DEFAULT_INTERVAL_MS, signal);
        if (signal.aborted) return;
        onResult(await k8sProbe.check(spec, { ports, signal, timeoutMs: spec.timeout ?? DEFAULT_TIMEOUT_MS }));
      }
    }
  },
};
