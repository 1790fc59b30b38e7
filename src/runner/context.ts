import type { Environment } from '../core/environment.js';
import type { InjectorContext } from '../injectors/contract.js';
import type { PortSet } from '../ports/index.js';

/** Sleeps, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits `ms`, or less if `signal` aborts first; never rejects (loops check the signal themselves). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function makeInjectorContext(env: Environment, ports: Partial<PortSet>, signal: AbortSignal, progress: (m: string) => void = () => {}): InjectorContext {
  return { env, ports: ports as PortSet, signal, progress, now: () => Date.now(), sleep };
}
