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

/**
 * A per-call abort signal: aborted after `timeoutMs`, or at once when `outer` (by default the
 * enclosing scope's signal) aborts.
 * Built from a plain timer, not AbortSignal.timeout() + AbortSignal.any(): on Node 20 that pair
 * was seen never to fire in the CLI (a frozen API server held `halt` until its revert deadline),
 * the known weak-reference/GC problem of composed timeout signals. The timer is unref'd so a
 * finished command exits at once; it only fires (harmlessly) after the call is long done.
 * The calls of one scope share one listener on `outer` (liveCalls): a listener per call stayed
 * until its timer fired, and a drill's probes and watches soon held more than Node's ten.
 */
export function callSignal(timeoutMs: number, outer: AbortSignal | undefined = scopeSignal()): AbortSignal {
  const ctl = new AbortController();
  if (outer?.aborted) {
    ctl.abort(outer.reason);
    return ctl.signal;
  }
  const live = outer ? liveCalls(outer) : undefined;
  live?.add(ctl);
  const timer = setTimeout(() => ctl.abort(Object.assign(new Error(`no answer in ${Math.round(timeoutMs / 1000)} s`), { name: 'TimeoutError' })), timeoutMs);
  timer.unref();
  ctl.signal.addEventListener('abort', () => {
    clearTimeout(timer);
    live?.delete(ctl);
  }, { once: true });
  return ctl.signal;
}

const callsByScope = new WeakMap<AbortSignal, Set<AbortController>>();

/** The calls not yet timed out under `outer`, aborted together when it aborts (one listener per scope). */
function liveCalls(outer: AbortSignal): Set<AbortController> {
  let calls = callsByScope.get(outer);
  if (!calls) {
    const set = new Set<AbortController>();
    outer.addEventListener('abort', () => {
      for (const c of [...set]) c.abort(outer.reason);
      set.clear();
    }, { once: true });
    callsByScope.set(outer, set);
    calls = set;
  }
  return calls;
}
