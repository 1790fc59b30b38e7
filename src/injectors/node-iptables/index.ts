/** `node.iptables`: placeholder until its issue lands. Registered so scenarios using it validate. */
import { z } from 'zod';
import type { Injector } from '../contract.js';
import { GamedayError } from '../../core/errors.js';

const notYet = (): never => {
  throw new GamedayError('INVALID_INPUT', 'node.iptables is not implemented yet', { hint: 'this injector arrives in its own issue' });
};

export const nodeIptables: Injector<never, Record<string, unknown>, Record<string, unknown>> = {
  kind: 'node.iptables',
  title: 'node.iptables',
  description: 'Not implemented yet.',
  reversible: true,
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
