/** `aws.elbv2-delete`: placeholder until its issue lands. Registered so scenarios using it validate. */
import { z } from 'zod';
import type { Injector } from '../contract.js';
import { GamedayError } from '../../core/errors.js';

const notYet = (): never => {
  throw new GamedayError('INVALID_INPUT', 'aws.elbv2-delete is not implemented yet', { hint: 'this injector arrives in its own issue' });
};

export const awsElbv2Delete: Injector<never, Record<string, unknown>, Record<string, unknown>> = {
  kind: 'aws.elbv2-delete',
  title: 'aws.elbv2-delete',
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
