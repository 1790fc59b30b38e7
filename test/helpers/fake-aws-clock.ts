/** A context whose clock only moves when the code under test sleeps: timing paths run instantly. */
import type { InjectorContext } from '../../src/injectors/contract.js';
import type { RetryPolicy } from '../../src/adapters/aws/retry.js';
import { contextWith } from './contract-suite.js';

export interface FakeClock {
  now(): number;
  sleeps: number[];
  progress: string[];
  ctx: InjectorContext;
  /** a retry policy that sleeps on this clock */
  retry(attempts?: number): RetryPolicy;
}

export function fakeClock(ports: Record<string, unknown>, env: Partial<InjectorContext['env']> = {}): FakeClock {
  let t = 1_000_000;
  const sleeps: number[] = [];
  const progress: string[] = [];
  const base = contextWith(ports, env);
  const ctx: InjectorContext = {
    ...base,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    progress: (m) => progress.push(m),
  };
  return {
    now: () => t,
    sleeps,
    progress,
    ctx,
    retry: (attempts = 6) => ({ attempts, baseMs: 200, capMs: 3_000, random: () => 0.5, sleep: async (ms) => void (sleeps.push(ms), (t += ms)) }),
  };
}

export const throttled = (name = 'Throttling') => Object.assign(new Error('Rate exceeded'), { name, $metadata: { httpStatusCode: 400 } });
export const awsError = (name: string) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });
