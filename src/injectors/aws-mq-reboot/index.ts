/**
 * `aws.mq-reboot` (one-shot): reboot an Amazon MQ broker — the seed's ActiveMQ failover, where
 * "fail-over is mostly on the client to handle". An active/standby broker's clients must reconnect
 * to the standby (a `failover:` URL with both endpoints); a single-instance broker is simply down
 * until it is back. prepare journals the state and mode before; observe polls until the broker is
 * RUNNING again and reports whether a REBOOT_IN_PROGRESS state was seen and how long it took.
 * The local endpoint (moto 5.2) accepts RebootBroker but changes nothing: the broker stays
 * RUNNING, so there the report says no reboot was seen.
 */
import { z } from 'zod';
import { GamedayError } from '../../core/errors.js';
import { durationSchema, nonEmpty } from '../../core/schema-helpers.js';
import type { DescribeBrokerResponse } from '../../ports/aws.js';
import type { Injector, InjectorContext } from '../contract.js';
import { pollUntil } from '../../core/clock.js';
import { isOptedIn } from '../aws-shared/common.js';
import { awsArn } from '../../core/aws-access.js';

const targetSchema = z.strictObject({
  /** the broker's name or id */
  broker: nonEmpty,
});
const paramsSchema = z.strictObject({ timeout: durationSchema.default(600_000) }).default({ timeout: 600_000 });

type Spec = z.infer<typeof targetSchema>;
type Params = z.infer<typeof paramsSchema>;
type Data = { brokerId: string; name: string };
export type MqUndo = Data & { stateBefore: string; mode: string; engine: string; timeoutMs: number };

const label = (d: Data) => `broker ${d.name}${d.name !== d.brokerId ? ` (${d.brokerId})` : ''}`;
const tagsOf = (b: DescribeBrokerResponse) => Object.entries(b.Tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
const state = async (ctx: InjectorContext<'mq'>, id: string): Promise<string> => (await ctx.ports.mq.describeBroker(id))?.BrokerState ?? 'not-found';

export const awsMqReboot: Injector<'mq', Spec, Params, Data, MqUndo> = {
  kind: 'aws.mq-reboot',
  title: 'Reboot a message broker',
  description: 'Reboots an Amazon MQ broker (active/standby: clients must fail over to the standby) and measures until it is RUNNING again. One-shot.',
  reversible: false,
  needs: ['mq'],
  targetSchema,
  paramsSchema,
  awsAccess: (spec) => [
    { actions: ['mq:ListBrokers', 'mq:DescribeBroker'], resources: ['*'], scope: 'read', why: 'find the broker by name or id, read its tags, state and mode' },
    // broker ARNs are …:broker:<name>:<id>; ids start with b-
    { actions: ['mq:RebootBroker'], resources: [awsArn('mq', `broker:${spec === undefined ? '*' : spec.broker.startsWith('b-') ? `*:${spec.broker}` : `${spec.broker}:*`}`)], scope: 'opted-in', why: 'inject reboots the broker' },
  ],

  async select(ctx, spec) {
    const all = await ctx.ports.mq.listBrokers();
    const s = all.find((b) => b.BrokerId === spec.broker || b.BrokerName === spec.broker);
    if (!s?.BrokerId) throw new GamedayError('INVALID_INPUT', `aws.mq-reboot: no broker ${spec.broker} in ${ctx.env.aws?.region ?? 'this region'}`, { hint: `brokers: ${all.map((b) => b.BrokerName).join(', ') || '(none)'} (aws mq list-brokers)` });
    const b = await ctx.ports.mq.describeBroker(s.BrokerId);
    if (!b) throw new GamedayError('TARGET_GONE', `aws.mq-reboot: broker ${spec.broker} vanished`, { hint: 'plan again' });
    const data = { brokerId: s.BrokerId, name: s.BrokerName ?? s.BrokerId };
    if (b.BrokerState !== 'RUNNING') throw new GamedayError('GUARD_REFUSED', `aws.mq-reboot: ${label(data)} is ${b.BrokerState}, not RUNNING`, { hint: 'wait until it runs before rebooting it' });
    const mode = b.DeploymentMode ?? 'SINGLE_INSTANCE';
    const standby = mode === 'SINGLE_INSTANCE' ? 'single instance: down until it is back (no standby)' : `${mode}: clients with a failover: URL should move to the standby`;
    return {
      notes: [`${label(data)}: ${b.EngineType ?? '?'} ${b.EngineVersion ?? ''}, ${standby}`],
      targets: [{ id: data.brokerId, scope: { resource: label(data), optedIn: isOptedIn(ctx, tagsOf(b)) }, data }],
    };
  },

  async prepare(ctx, target, params) {
    const b = await ctx.ports.mq.describeBroker(target.data.brokerId);
    if (!b) throw new GamedayError('TARGET_GONE', `${label(target.data)} is gone`, { hint: 'plan again' });
    return { ...target.data, stateBefore: b.BrokerState ?? '?', mode: b.DeploymentMode ?? 'SINGLE_INSTANCE', engine: b.EngineType ?? '?', timeoutMs: params.timeout };
  },

  async inject(ctx, _target, _params, undo) {
    const requestedAt = ctx.now();
    await ctx.ports.mq.rebootBroker(undo.brokerId);
    return { broker: label(undo), requestedAt, mode: undo.mode, stateAfterCall: await state(ctx, undo.brokerId) };
  },

  async observe(ctx, undo, injected, report) {
    const startedAt = typeof injected?.requestedAt === 'number' ? injected.requestedAt : ctx.now();
    let seenRebooting = injected?.stateAfterCall === 'REBOOT_IN_PROGRESS';
    const r = await pollUntil(ctx, { what: `${label(undo)} to run again`, timeoutMs: undo.timeoutMs, initialDelayMs: 1_000, maxDelayMs: 10_000 }, async () => {
      const s = await state(ctx, undo.brokerId);
      if (s === 'REBOOT_IN_PROGRESS') seenRebooting = true;
      return { done: s === 'RUNNING' || s === 'not-found', value: s, status: s };
    });
    await report({
      broker: label(undo),
      state: r.value,
      running: r.value === 'RUNNING',
      backAfterMs: ctx.now() - startedAt,
      rebootSeen: seenRebooting,
      ...(seenRebooting ? {} : { note: 'the broker never showed REBOOT_IN_PROGRESS: it came back before the first look, or the endpoint does not model the reboot (moto)' }),
    });
  },

  async revert(_ctx, undo) {
    return { outcome: 'nothing-to-revert', detail: { note: `a reboot is one-shot: ${label(undo)} comes back by itself` } };
  },

  async verify(ctx, undo, phase) {
    const s = await state(ctx, undo.brokerId);
    if (phase === 'reverted') return { ok: true, detail: `one-shot: nothing to revert (${label(undo)} is ${s})` };
    // a reboot leaves the broker REBOOT_IN_PROGRESS, then RUNNING: anything else (gone, failed) is not a reboot
    return { ok: s === 'REBOOT_IN_PROGRESS' || s === 'RUNNING', detail: `${label(undo)} is ${s}` };
  },

  describeRevert(undo, target) {
    return `nothing: a reboot of ${label(undo ?? target.data)} is one-shot (it comes back by itself)`;
  },
};
