/**
 * The probe loop: every steady-state probe runs on its own (poll at its interval, or watch), and a
 * result is reported only when it differs from the last one (plus the first result), so the journal
 * records exactly when steady state broke and when it came back. Each check is bounded by the
 * probe's timeout. A probe that throws has crashed: the loop reports it once and stops that probe.
 */
import type { ProbeSpec } from '../core/probe-spec.js';
import { describeError } from '../core/errors.js';
import type { ProbePorts } from '../ports/probes.js';
import { DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS, type ProbeResult } from './contract.js';
import { probeFor } from './registry.js';
import { systemClock, type Clock } from '../core/clock.js';

export interface ProbeObservation extends ProbeResult {
  probe: string;
  probeType: ProbeSpec['type'];
  /** epoch ms */
  at: number;
}

export interface ProbeView {
  name: string;
  type: ProbeSpec['type'];
  ok: boolean | undefined;
  detail?: string;
  /** epoch ms of the last change of ok */
  since?: number;
}

export interface ProbeLoop {
  /** the latest result of each probe, in declaration order */
  view(): ProbeView[];
  allOk(): boolean;
  stop(): Promise<void>;
}

export interface ProbeLoopOptions {
  specs: readonly ProbeSpec[];
  ports: ProbePorts;
  signal: AbortSignal;
  onChange(o: ProbeObservation): void;
  onCrash(probe: string, error: Error): void;
  /** the system clock unless a test brings a fake one */
  clock?: Pick<Clock, 'now' | 'pause'>;
}

export class ProbeCrashed extends Error {
  constructor(readonly probe: string, cause: unknown) {
    super(`probe "${probe}" crashed: ${describeError(cause)}`, { cause });
    this.name = 'ProbeCrashed';
  }
}

/** One check, bounded by the probe's timeout even if a port ignores it. Throws ProbeCrashed. */
export async function checkProbe(spec: ProbeSpec, ports: ProbePorts, signal: AbortSignal): Promise<ProbeResult> {
  const timeoutMs = spec.timeout ?? DEFAULT_TIMEOUT_MS;
  const impl = probeFor(spec);
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `timed out after ${timeoutMs}ms` }), timeoutMs + 250);
  });
  const local = new AbortController();
  const onAbort = () => local.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([impl.check(spec, { ports, timeoutMs, signal: local.signal }), bound]);
  } catch (e) {
    throw new ProbeCrashed(spec.name, e);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    local.abort();
  }
}

/** Every probe once, in parallel: the steady-state check before and after a drill. */
export async function checkAll(specs: readonly ProbeSpec[], ports: ProbePorts, signal: AbortSignal): Promise<(ProbeResult & { probe: string; probeType: ProbeSpec['type'] })[]> {
  return Promise.all(specs.map(async (s) => ({ probe: s.name, probeType: s.type, ...(await checkProbe(s, ports, signal)) })));
}

export function startProbeLoop(opts: ProbeLoopOptions): ProbeLoop {
  const clock = opts.clock ?? systemClock;
  const now = () => clock.now();
  const stopper = new AbortController();
  const signal = AbortSignal.any([opts.signal, stopper.signal]);
  const state = new Map<string, ProbeView>(opts.specs.map((s) => [s.name, { name: s.name, type: s.type, ok: undefined }]));
  let crashed = false;

  const record = (spec: ProbeSpec, r: ProbeResult) => {
    if (signal.aborted || crashed) return;
    const v = state.get(spec.name)!;
    if (v.ok === r.ok) {
      v.detail = r.detail;
      return;
    }
    const at = now();
    Object.assign(v, { ok: r.ok, detail: r.detail, since: at });
    opts.onChange({ probe: spec.name, probeType: spec.type, ok: r.ok, detail: r.detail, latencyMs: r.latencyMs, at });
  };
  const crash = (spec: ProbeSpec, e: unknown) => {
    if (signal.aborted || crashed) return;
    crashed = true;
    opts.onCrash(spec.name, e instanceof ProbeCrashed ? e : new ProbeCrashed(spec.name, e));
  };
  const sleep = (ms: number) => clock.pause(ms, signal);

  const runOne = async (spec: ProbeSpec) => {
    const impl = probeFor(spec);
    try {
      record(spec, await checkProbe(spec, opts.ports, signal));
      if (impl.watch) {
        await impl.watch(spec, { ports: opts.ports, signal }, (r) => record(spec, r));
        return;
      }
      while (!signal.aborted) {
        await sleep(spec.interval ?? DEFAULT_INTERVAL_MS);
        if (signal.aborted) return;
        record(spec, await checkProbe(spec, opts.ports, signal));
      }
    } catch (e) {
      crash(spec, e);
    }
  };
  const running = Promise.all(opts.specs.map(runOne));

  return {
    view: () => [...state.values()].map((v) => ({ ...v })),
    allOk: () => [...state.values()].every((v) => v.ok === true),
    async stop() {
      stopper.abort();
      await running;
    },
  };
}
