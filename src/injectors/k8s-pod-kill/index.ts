/** `k8s.pod-kill`: placeholder until its issue lands. Registered so scenarios using it validate. */
import { z } from 'zod';
import type { Injector } from '../contract.js';
import { GamedayError } from '../../core/errors.js';

const notYet = (): never => {
  throw new GamedayError('INVALID_INPUT', 'k8s.pod-kill is not implemented yet', { hint: 'this injector arrives in its own issue' });
};

export const k8sPodKill: Injector<never, Record<string, unknown>, Record<string, unknown>> = {
  kind: 'k8s.pod-kill',
  title: 'k8s.pod-kill',
  description: 'Not implemented yet.',
  reversible: false,
  needs: [],
  targetSchema: z.record(z.string(), z.unknown()),
  paramsSchema: z.record(z.string(), z.unknown()),
  select: async () => notYet(),
  prepare: async () => notYet(),
  inject: async () => notYet(),
  revert: async () => notYet(),
  verify: async () => notYet(),
  describeRevert: () => 'nothing',
};
