/**
 * `aws.ec2-stop` (reversible: stop → start). The instance id and its state before are the undo;
 * revert starts it again (waiting for a stopping instance to be stopped first) and waits until it
 * runs. An instance that vanished (terminated) counts as reverted.
 */
import type { z } from 'zod';
import type { Injector, InjectorContext } from '../contract.js';
import { GamedayError } from '../../core/errors.js';
import { tagValue } from '../aws-shared/common.js';
import { pollUntil } from '../../core/clock.js';
import { EC2_SELECT_ACCESS, ec2ParamsSchema, ec2TargetSchema, instanceArns, instanceLabel, instanceState, selectInstances, type Ec2Data } from '../aws-shared/ec2-select.js';

type Needs = 'ec2';
export type StopUndo = { instanceId: string; name?: string; stateBefore: string };
const WAIT_MS = 5 * 60_000;

const waitFor = (ctx: InjectorContext<Needs>, undo: StopUndo, states: string[]) =>
  pollUntil(ctx, { what: `${instanceLabel(undo)} to be ${states[0]}`, timeoutMs: WAIT_MS, initialDelayMs: 1_000, maxDelayMs: 10_000 }, async () => {
    const state = await instanceState(ctx, undo.instanceId);
    return { done: states.includes(state), value: state, status: state };
  });

export const awsEc2Stop: Injector<Needs, z.infer<typeof ec2TargetSchema>, z.infer<typeof ec2ParamsSchema>, Ec2Data, StopUndo> = {
  kind: 'aws.ec2-stop',
  title: 'Stop EC2 instances',
  description: 'Stops running EC2 instances; revert starts them again and waits until they run.',
  reversible: true,
  needs: ['ec2'],
  awsAccess: (spec) => [EC2_SELECT_ACCESS, { actions: ['ec2:StopInstances', 'ec2:StartInstances'], resources: instanceArns(spec), scope: 'opted-in', why: 'inject stops the instance, revert starts it again' }],
  targetSchema: ec2TargetSchema,
  paramsSchema: ec2ParamsSchema,

  async select(ctx, spec, params, random) {
    const { selection, chosen } = await selectInstances(ctx, spec, params.count, random);
    const groups = [...new Set(chosen.map((i) => tagValue(i.Tags, 'aws:autoscaling:groupName')).filter((g): g is string => !!g))];
    const notes = groups.map((g) => `Auto Scaling group ${g}: its health checks may replace a stopped instance before the revert starts it again`);
    return notes.length ? { ...selection, notes } : selection;
  },

  async prepare(ctx, target) {
    const state = await instanceState(ctx, target.data.instanceId);
    if (state === 'not-found' || state === 'terminated') throw new GamedayError('TARGET_GONE', `${instanceLabel(target.data)} is gone`, { hint: 'plan again' });
    return { ...target.data, stateBefore: state };
  },

  async inject(ctx, _target, _params, undo) {
    await ctx.ports.ec2.stopInstances([undo.instanceId]);
    return { instanceId: undo.instanceId, stateBefore: undo.stateBefore, state: await instanceState(ctx, undo.instanceId) };
  },

  async revert(ctx, undo) {
    let state = await instanceState(ctx, undo.instanceId);
    if (['not-found', 'terminated', 'shutting-down'].includes(state)) return { outcome: 'already-reverted', detail: { instanceId: undo.instanceId, state, note: 'the instance is gone' } };
    if (state === 'running' || state === 'pending') return { outcome: 'already-reverted', detail: { instanceId: undo.instanceId, state } };
    if (undo.stateBefore !== 'running' && undo.stateBefore !== 'pending') return { outcome: 'nothing-to-revert', detail: { instanceId: undo.instanceId, state, note: `it was ${undo.stateBefore} before` } };
    const started = ctx.now();
    if (state === 'stopping') {
      const stopped = await waitFor(ctx, undo, ['stopped']);
      state = stopped.value;
      if (!stopped.done) throw new GamedayError('REVERT_FAILED', `${instanceLabel(undo)} is still ${state}`, { hint: 'run `gameday recover` again once it has stopped' });
    }
    ctx.progress(`starting ${instanceLabel(undo)}`);
    await ctx.ports.ec2.startInstances([undo.instanceId]);
    const running = await waitFor(ctx, undo, ['running']);
    return { outcome: 'reverted', detail: { instanceId: undo.instanceId, state: running.value, runningAfterMs: ctx.now() - started } };
  },

  async verify(ctx, undo, phase) {
    const state = await instanceState(ctx, undo.instanceId);
    const gone = state === 'not-found' || state === 'terminated' || state === 'shutting-down';
    if (phase === 'injected') return { ok: state === 'stopping' || state === 'stopped', detail: `${instanceLabel(undo)} is ${state}` };
    return { ok: gone || state === 'running' || state === 'pending', detail: `${instanceLabel(undo)} is ${state}${gone ? ' (gone: counts as reverted)' : ''}` };
  },

  describeRevert(undo, target) {
    return `start ${instanceLabel(undo ?? target.data)} again`;
  },
};
