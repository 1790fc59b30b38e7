/**
 * `aws.rds-failover` (one-shot). Aurora and Multi-AZ DB clusters: FailoverDBCluster (optionally to a
 * chosen reader). Multi-AZ DB instances: RebootDBInstance with ForceFailover. The writer (and its AZ)
 * before is journaled by prepare; `observe` polls with a bounded backoff until the writer really
 * changed and the status is available again (a describe right after the call is often stale), and
 * reports the failover duration. `failBack: true` fails back to the original writer after `hold`.
 */
import { z } from 'zod';
import type { Injector, InjectorContext } from '../contract.js';
import { GamedayError } from '../../core/errors.js';
import { durationSchema, flag } from '../../core/schema-helpers.js';
import { formatDuration } from '../../core/duration.js';
import { isOptedIn } from '../aws-shared/common.js';
import { pollUntil } from '../../core/clock.js';
import { readClusterState, readInstanceState, failoverDone, type DbState } from './state.js';
import { awsArn, type AwsAccess } from '../../core/aws-access.js';

const targetSchema = z
  .strictObject({ cluster: z.string().min(1).optional(), instance: z.string().min(1).optional() })
  .refine((t) => !!t.cluster !== !!t.instance, { message: 'give exactly one of cluster or instance (e.g. cluster=shop-db)' });
const paramsSchema = z
  .strictObject({
    /** cluster only: the reader to promote */
    targetInstance: z.string().min(1).optional(),
    failBack: flag.default(false),
    /** how long to stay failed over before failing back */
    hold: durationSchema.default(durationSchema.parse('1m')),
    /** how long to wait for the writer to change (and, with failBack, to change back) */
    timeout: durationSchema.default(durationSchema.parse('10m')),
  })
  .default({ failBack: false, hold: 60_000, timeout: 600_000 });

type Needs = 'rds';
/** how long verify('injected') waits for a describe that shows the failover */
const VERIFY_WINDOW_MS = 20_000;
type Data = { kind: 'cluster' | 'instance'; id: string };
export type RdsUndo = {
  kind: 'cluster' | 'instance';
  id: string;
  writerBefore: string;
  azBefore?: string;
  members: string[];
  targetInstance?: string;
  failBack: boolean;
  holdMs: number;
  timeoutMs: number;
};

const readState = (ctx: InjectorContext<Needs>, kind: Data['kind'], id: string): Promise<DbState | undefined> => (kind === 'cluster' ? readClusterState(ctx.ports.rds, id) : readInstanceState(ctx.ports.rds, id));

async function failover(ctx: InjectorContext<Needs>, kind: Data['kind'], id: string, targetInstance?: string): Promise<void> {
  if (kind === 'cluster') await ctx.ports.rds.failoverDbCluster(id, targetInstance);
  else await ctx.ports.rds.rebootDbInstance(id, true);
}

/** Polls until the writer (cluster) or AZ (instance) moved away from `from` and all is available. */
async function measure(ctx: InjectorContext<Needs>, undo: RdsUndo, from: { writer: string; az?: string }, startedAt: number) {
  const r = await pollUntil(ctx, { what: `${undo.id} to fail over`, timeoutMs: undo.timeoutMs, initialDelayMs: 1_000, maxDelayMs: 10_000, factor: 1.5 }, async () => {
    const s = await readState(ctx, undo.kind, undo.id);
    const status = s ? `${s.status}, writer ${s.writer ?? '?'}${s.az ? ` in ${s.az}` : ''}` : 'not found';
    return { done: !!s && failoverDone(undo.kind, from, s), value: s, status };
  });
  const durationMs = ctx.now() - startedAt;
  return { confirmed: r.done, durationMs, polls: r.polls, writerAfter: r.value?.writer, azAfter: r.value?.az, status: r.value?.status };
}

/** A cluster fails over (FailoverDBCluster), a Multi-AZ instance reboots with failover; both only while opted in. */
function rdsAccess(spec: z.infer<typeof targetSchema> | undefined): AwsAccess[] {
  const read: AwsAccess = { actions: ['rds:DescribeDBClusters', 'rds:DescribeDBInstances'], resources: ['*'], scope: 'read', why: 'select; read the writer, members and AZ before and after' };
  const cluster: AwsAccess = { actions: ['rds:FailoverDBCluster'], resources: [awsArn('rds', `cluster:${spec?.cluster ?? '*'}`)], scope: 'opted-in', why: 'inject (and fail back) a cluster failover' };
  const instance: AwsAccess = { actions: ['rds:RebootDBInstance'], resources: [awsArn('rds', `db:${spec?.instance ?? '*'}`)], scope: 'opted-in', why: 'inject a Multi-AZ instance failover (reboot with failover)' };
  if (spec?.cluster) return [read, cluster];
  if (spec?.instance) return [read, instance];
  return [read, cluster, instance];
}

export const awsRdsFailover: Injector<Needs, z.infer<typeof targetSchema>, z.infer<typeof paramsSchema>, Data, RdsUndo> = {
  kind: 'aws.rds-failover',
  title: 'Fail over an RDS database',
  description: 'Forces a failover of an Aurora / Multi-AZ DB cluster (or a Multi-AZ DB instance) and measures how long until the new writer is available. One-shot; optionally fails back.',
  reversible: false,
  needs: ['rds'],
  awsAccess: (spec) => rdsAccess(spec),
  targetSchema,
  paramsSchema,

  async select(ctx, spec, params) {
    const kind = spec.cluster ? 'cluster' : 'instance';
    const id = (spec.cluster ?? spec.instance)!;
    const s = await readState(ctx, kind, id);
    if (!s) throw new GamedayError('INVALID_INPUT', `no DB ${kind} named ${id} in ${ctx.env.aws?.region ?? 'this region'}`, { hint: `check the identifier with \`aws rds describe-db-${kind}s\`` });
    if (kind === 'instance' && s.clusterId)
      throw new GamedayError('INVALID_INPUT', `DB instance ${id} belongs to cluster ${s.clusterId}`, { hint: `target the cluster instead: --target cluster=${s.clusterId}` });
    if (kind === 'instance' && !s.multiAz)
      throw new GamedayError('GUARD_REFUSED', `DB instance ${id} is single-AZ: there is no standby to fail over to`, { hint: 'only Multi-AZ instances (or clusters with a reader) can fail over' });
    if (kind === 'cluster' && s.members.length < 2)
      throw new GamedayError('GUARD_REFUSED', `DB cluster ${id} has ${s.members.length} member${s.members.length === 1 ? '' : 's'}: a failover needs a second instance to promote`, { hint: 'add a reader to the cluster first' });
    if (params.targetInstance && (kind !== 'cluster' || !s.members.includes(params.targetInstance) || params.targetInstance === s.writer))
      throw new GamedayError('INVALID_INPUT', `targetInstance ${params.targetInstance} is not a reader of ${id}`, { hint: `readers: ${s.members.filter((m) => m !== s.writer).join(', ') || 'none'}` });
    if (s.status !== 'available') throw new GamedayError('GUARD_REFUSED', `DB ${kind} ${id} is ${s.status}, not available`, { hint: 'wait until it is available before failing it over' });
    return {
      targets: [{ id, scope: { resource: `db-${kind} ${id}`, optedIn: isOptedIn(ctx, s.tags) }, data: { kind, id } }],
      notes: [`${id}: writer ${s.writer}${s.az ? ` in ${s.az}` : ''}; ${kind === 'cluster' ? `members ${s.members.join(', ')}` : 'Multi-AZ instance (reboot with failover)'}`],
    };
  },

  async prepare(ctx, target, params) {
    const s = await readState(ctx, target.data.kind, target.data.id);
    if (!s || !s.writer) throw new GamedayError('TARGET_GONE', `DB ${target.data.kind} ${target.data.id} is gone or has no writer`, { hint: 'plan again' });
    const undo: RdsUndo = { kind: target.data.kind, id: target.data.id, writerBefore: s.writer, members: s.members, failBack: params.failBack, holdMs: params.hold, timeoutMs: params.timeout };
    if (s.az) undo.azBefore = s.az;
    if (params.targetInstance) undo.targetInstance = params.targetInstance;
    return undo;
  },

  async inject(ctx, _target, _params, undo) {
    const requestedAt = ctx.now();
    await failover(ctx, undo.kind, undo.id, undo.targetInstance);
    return { requestedAt, writerBefore: undo.writerBefore, ...(undo.azBefore ? { azBefore: undo.azBefore } : {}) };
  },

  async observe(ctx, undo, injected, report) {
    const startedAt = typeof injected?.requestedAt === 'number' ? injected.requestedAt : ctx.now();
    const first = await measure(ctx, undo, { writer: undo.writerBefore, ...(undo.azBefore ? { az: undo.azBefore } : {}) }, startedAt);
    await report({ phase: 'failover', writerBefore: undo.writerBefore, ...first });
    if (!undo.failBack || !first.confirmed) return;
    ctx.progress(`holding ${formatDuration(undo.holdMs)} before failing back to ${undo.writerBefore}`);
    await ctx.sleep(undo.holdMs, ctx.signal);
    const backAt = ctx.now();
    await failover(ctx, undo.kind, undo.id, undo.kind === 'cluster' ? undo.writerBefore : undefined);
    const back = await measure(ctx, undo, { writer: first.writerAfter ?? '', ...(first.azAfter ? { az: first.azAfter } : {}) }, backAt);
    await report({ phase: 'fail-back', writerBefore: first.writerAfter, ...back });
  },

  async revert(_ctx, undo) {
    return { outcome: 'nothing-to-revert', detail: { note: `a failover is one-shot: ${undo.id} keeps its new writer${undo.failBack ? ' (unless the fail-back ran)' : ''}` } };
  },

  async verify(ctx, undo, phase) {
    const s = await readState(ctx, undo.kind, undo.id);
    if (!s) return { ok: phase === 'reverted', detail: `${undo.id} not found` };
    const here = `${s.status}, writer ${s.writer ?? '?'}${s.az ? ` in ${s.az}` : ''}`;
    if (phase === 'reverted') return { ok: true, detail: `one-shot: nothing to revert (${here})` };
    // right after the call a describe is often stale: give it a short, bounded while to show movement
    const seen = await pollUntil(ctx, { what: `${undo.id} to show the failover`, timeoutMs: VERIFY_WINDOW_MS, initialDelayMs: 1_000, maxDelayMs: 5_000 }, async () => {
      const now = await readState(ctx, undo.kind, undo.id);
      const moved = !!now && (undo.kind === 'cluster' ? now.writer !== undo.writerBefore : now.az !== undo.azBefore);
      const inProgress = !!now && /failing-over|rebooting|modifying/.test(now.status);
      return { done: moved || inProgress, value: { now, moved }, status: now ? `${now.status}, writer ${now.writer ?? '?'}` : 'not found' };
    });
    const n = seen.value.now;
    const there = n ? `${n.status}, writer ${n.writer ?? '?'}${n.az ? ` in ${n.az}` : ''}` : 'not found';
    const was = `was ${undo.writerBefore}${undo.azBefore ? ` in ${undo.azBefore}` : ''}`;
    return { ok: seen.done, detail: seen.value.moved ? `failed over: ${there} (${was})` : seen.done ? `failover in progress: ${there}` : `no failover seen after ${formatDuration(seen.elapsedMs)}: ${there}` };
  },

  describeRevert(undo, target) {
    const fb = undo?.failBack ? `; fails back to ${undo.writerBefore} after ${formatDuration(undo.holdMs)}` : '';
    return `nothing: a failover of ${target.data.id} is one-shot${fb}`;
  },
};
