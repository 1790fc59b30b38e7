/**
 * `aws.ec2-terminate` (one-shot): "roll the machines". Only instances in an Auto Scaling group, so
 * the group replaces them; anything else is refused. `observe` watches the group until it is back
 * to its desired InService count without the terminated instance, and reports how long it took.
 */
import { z } from 'zod';
import type { Injector } from '../contract.js';
import { GamedayError } from '../../core/errors.js';
import { durationSchema } from '../../core/schema-helpers.js';
import { pollUntil } from '../../core/clock.js';
import { EC2_SELECT_ACCESS, ec2ParamsSchema, ec2TargetSchema, instanceArns, instanceLabel, instanceState, selectInstances, type Ec2Data } from '../aws-shared/ec2-select.js';

type Needs = 'ec2' | 'autoscaling';
type Data = Ec2Data & { asg: string };
export type TerminateUndo = { instanceId: string; name?: string; asg: string; stateBefore: string; replacementTimeoutMs: number };

const paramsSchema = ec2ParamsSchema.extend({
  /** how long to watch the group for a replacement */
  replacementTimeout: durationSchema.default(durationSchema.parse('5m')),
});

export const awsEc2Terminate: Injector<Needs, z.infer<typeof ec2TargetSchema>, z.infer<typeof paramsSchema>, Data, TerminateUndo> = {
  kind: 'aws.ec2-terminate',
  title: 'Terminate EC2 instances of an Auto Scaling group',
  description: 'Terminates instances that belong to an Auto Scaling group ("roll the machines") and times their replacement. One-shot; refuses instances outside a group.',
  reversible: false,
  needs: ['ec2', 'autoscaling'],
  awsAccess: (spec) => [
    EC2_SELECT_ACCESS,
    { actions: ['autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeAutoScalingGroups'], resources: ['*'], scope: 'read', why: 'select only instances of a group; observe the replacement' },
    { actions: ['ec2:TerminateInstances'], resources: instanceArns(spec), scope: 'opted-in', why: 'inject terminates the instance (its group replaces it)' },
  ],
  targetSchema: ec2TargetSchema,
  paramsSchema,

  async select(ctx, spec, params, random) {
    const { selection } = await selectInstances(ctx, spec, params.count, random);
    const groups = new Map((await ctx.ports.autoscaling.describeAutoScalingInstances(selection.targets.map((t) => t.data.instanceId))).map((i) => [i.InstanceId, i.AutoScalingGroupName]));
    const outside = selection.targets.filter((t) => !groups.get(t.data.instanceId));
    if (outside.length)
      throw new GamedayError('GUARD_REFUSED', `${outside.map((t) => instanceLabel(t.data)).join(', ')} ${outside.length === 1 ? 'is' : 'are'} not in an Auto Scaling group: nothing would replace ${outside.length === 1 ? 'it' : 'them'}`, {
        hint: 'terminate only targets instances of an Auto Scaling group; use aws.ec2-stop for a standalone instance',
      });
    return {
      ...selection,
      targets: selection.targets.map((t) => ({ ...t, data: { ...t.data, asg: groups.get(t.data.instanceId)! } })),
      notes: [...new Set(groups.values())].map((g) => `Auto Scaling group ${g} will replace what is terminated`),
    };
  },

  async prepare(ctx, target, params) {
    const state = await instanceState(ctx, target.data.instanceId);
    if (state === 'not-found' || state === 'terminated') throw new GamedayError('TARGET_GONE', `${instanceLabel(target.data)} is gone`, { hint: 'plan again' });
    return { ...target.data, stateBefore: state, replacementTimeoutMs: params.replacementTimeout };
  },

  async inject(ctx, _target, _params, undo) {
    const requestedAt = ctx.now();
    await ctx.ports.ec2.terminateInstances([undo.instanceId]);
    return { instanceId: undo.instanceId, asg: undo.asg, requestedAt, state: await instanceState(ctx, undo.instanceId) };
  },

  async observe(ctx, undo, injected, report) {
    const startedAt = typeof injected?.requestedAt === 'number' ? injected.requestedAt : ctx.now();
    const r = await pollUntil(ctx, { what: `Auto Scaling group ${undo.asg} to replace ${undo.instanceId}`, timeoutMs: undo.replacementTimeoutMs, initialDelayMs: 2_000, maxDelayMs: 15_000 }, async () => {
      const [g] = await ctx.ports.autoscaling.describeAutoScalingGroups([undo.asg]);
      const inService = (g?.Instances ?? []).filter((i) => i.LifecycleState === 'InService' && i.InstanceId !== undo.instanceId).map((i) => i.InstanceId!);
      const desired = g?.DesiredCapacity ?? 0;
      return { done: !!g && inService.length >= desired, value: inService, status: `${inService.length}/${desired} in service` };
    });
    const durationMs = ctx.now() - startedAt;
    await report({ asg: undo.asg, terminated: undo.instanceId, replaced: r.done, inService: r.value, durationMs });
  },

  async revert(_ctx, undo) {
    return { outcome: 'nothing-to-revert', detail: { note: `terminate is one-shot: Auto Scaling group ${undo.asg} replaces ${undo.instanceId}` } };
  },

  async verify(ctx, undo, phase) {
    const state = await instanceState(ctx, undo.instanceId);
    if (phase === 'reverted') return { ok: true, detail: `one-shot: ${instanceLabel(undo)} is ${state}` };
    return { ok: ['shutting-down', 'terminated', 'not-found'].includes(state), detail: `${instanceLabel(undo)} is ${state}` };
  },

  describeRevert(undo, target) {
    return `nothing: Auto Scaling group ${undo?.asg ?? target.data.asg} replaces ${target.data.instanceId}`;
  },
};
