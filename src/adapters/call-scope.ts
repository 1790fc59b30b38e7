/**
 * The scope of one bounded operation (one revert, one halt step): an AbortSignal that every
 * Kubernetes and AWS call made inside it obeys, carried through the async call chain by
 * AsyncLocalStorage, so injectors and ports need no extra parameter and none can forget it.
 *
 * The scope also remembers the call in flight, so a revert that runs out of time (or is stopped
 * by Ctrl-C) can say what it was waiting for: "AWS http://127.0.0.1:5000 DescribeLoadBalancers, 12 s".
 * Outside any scope (plan, inject, probes) calls are still bounded by their own per-call timeouts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface InFlightCall {
  /** who is asked what: "AWS http://127.0.0.1:5000 DescribeLoadBalancers" */
  what: string;
  since: number;
}

interface Scope {
  signal: AbortSignal;
  inFlight: InFlightCall[];
}

const storage = new AsyncLocalStorage<Scope>();

/** Runs `fn` with `signal` as the abort signal of every call it makes, however deep. */
export function withCallScope<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return storage.run({ signal, inFlight: [] }, fn);
}

/** The abort signal of the enclosing scope, if any. */
export const scopeSignal = (): AbortSignal | undefined => storage.getStore()?.signal;

/** Notes a call as in flight in the enclosing scope; call the returned function when it settles. */
export function noteCall(what: string, now: number = Date.now()): () => void {
  const scope = storage.getStore();
  if (!scope) return () => {};
  const call = { what, since: now };
  scope.inFlight.push(call);
  return () => {
    const i = scope.inFlight.indexOf(call);
    if (i >= 0) scope.inFlight.splice(i, 1);
  };
}

/** The oldest call still in flight in the scope (what a stuck operation waits for). */
export const callInFlight = (): InFlightCall | undefined => storage.getStore()?.inFlight[0];

/**
 * Captures the scope so a caller outside it can still ask what it is waiting for (the revert
 * deadline timer fires outside the scope's async chain).
 */
export function scopeProbe(): () => InFlightCall | undefined {
  const scope = storage.getStore();
  return () => scope?.inFlight[0];
}

/** Combines the scope's signal (if any) with a per-call timeout signal. */
export function callSignal(timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  const outer = scopeSignal();
  return outer ? AbortSignal.any([outer, timeout]) : timeout;
}
