/**
 * One small interface per probe type. A check returns a result for every expected outcome (up,
 * down, refused, timed out, not found); it throws only when the probe itself is broken (a crash),
 * which the drill treats like an interrupt: revert, journal, exit 130.
 */
import type { ProbeSpec, ProbeType } from '../core/probe-spec.js';
import type { AwsAccess } from '../core/aws-access.js';
import type { ProbePortName, ProbePorts } from '../ports/probes.js';

export interface ProbeResult {
  ok: boolean;
  /** one line a facilitator can read: "3/3 ready", "HTTP 503", "connection refused" */
  detail: string;
  latencyMs?: number;
}

export interface ProbeCheckContext {
  ports: ProbePorts;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface ProbeImpl<S extends ProbeSpec = ProbeSpec> {
  type: S['type'];
  needs: readonly ProbePortName[];
  /** a short description for plans and panels */
  describe(spec: S): string;
  /** The AWS IAM grants a probe that reads AWS needs (for `gameday iam`); `spec` undefined: any probe of this type. */
  awsAccess?(spec: S | undefined): AwsAccess[];
  check(spec: S, ctx: ProbeCheckContext): Promise<ProbeResult>;
  /**
   * Optional push mode (Kubernetes watch): calls `onResult` on every change until `signal` aborts.
   * Resolves when aborted; rejects when it cannot go on (a crash).
   */
  watch?(spec: S, ctx: Omit<ProbeCheckContext, 'timeoutMs'>, onResult: (r: ProbeResult) => void): Promise<void>;
}

export type ProbeOf<T extends ProbeType> = ProbeImpl<Extract<ProbeSpec, { type: T }>>;

export const DEFAULT_INTERVAL_MS = 5_000;
export const DEFAULT_TIMEOUT_MS = 5_000;

/** A short reason for an expected failure (ECONNREFUSED, timeout…). */
export function failureDetail(e: unknown): string {
  const err = e as { code?: string; message?: string; name?: string; cause?: { code?: string; message?: string } };
  const code = err?.cause?.code ?? err?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'name not resolved';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  if (err?.name === 'TimeoutError' || /within \d+ms|timed? ?out/i.test(err?.message ?? '')) return 'timed out';
  return (err?.cause?.message ?? err?.message ?? String(e)).split('\n')[0] ?? 'error';
}
