import type { Environment } from '../core/environment.js';
import type { InjectorContext } from '../injectors/contract.js';
import type { PortSet } from '../ports/index.js';
import { sleep } from '../core/clock.js';

export function makeInjectorContext(env: Environment, ports: Partial<PortSet>, signal: AbortSignal, progress: (m: string) => void = () => {}): InjectorContext {
  return { env, ports: ports as PortSet, signal, progress, now: () => Date.now(), sleep };
}
