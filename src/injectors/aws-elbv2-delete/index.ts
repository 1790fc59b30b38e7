/**
 * `aws.elbv2-delete` (reversible): delete an Application/Network/Gateway load balancer, and bring
 * it back. Before the delete, the full snapshot (LB, attributes, tags, listeners, certificates,
 * rules, and the Route 53 records that point at it) is the undo data the runner journals and
 * fsyncs. Revert re-creates everything from that JSON alone (see recreate.ts).
 */
import { z } from 'zod';
import type { Injector, InjectorContext } from '../contract.js';
import { GamedayError } from '../../core/errors.js';
import type { LoadBalancer } from '../../ports/aws.js';
import { isOptedIn, matchesTagFilter, parseTagFilter, tagValue, RECREATED_FROM_TAG } from '../aws-shared/common.js';
import { deletionProtectionOn, describeSnapshot, recordPointsAt, referencedTargetGroups, snapshotLoadBalancer, zoneSelected, type LbSnapshot, type ListenerDescription, type RecordSnapshot } from './snapshot.js';
import { ACTIVE_TIMEOUT_MS, recreate, type RecreateDetail } from './recreate.js';
import { elbAccess } from './access.js';

const targetSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    arn: z.string().startsWith('arn:').optional(),
    /** key=value (or a bare key) */
    tag: z.string().min(1).optional(),
  })
  .refine((t) => [t.name, t.arn, t.tag].filter(Boolean).length === 1, { message: 'give exactly one of name, arn or tag (e.g. name=shop-public)' });
const paramsSchema = z.strictObject({}).default({});

type Needs = 'elbv2' | 'route53';
type Data = { arn: string; name: string };
export type ElbUndo = { snapshot: LbSnapshot };

/** Tags the AWS Load Balancer Controller (and the legacy in-tree provider) put on the LBs they own. */
const CONTROLLER_TAGS = ['elbv2.k8s.aws/cluster', 'service.k8s.aws/stack', 'ingress.k8s.aws/stack', 'kubernetes.io/service-name'];

const protectedError = (name: string) =>
  new GamedayError('GUARD_REFUSED', `load balancer ${name} has deletion protection on; gameday will not turn it off`, {
    hint: 'pick another load balancer, or turn deletion protection off yourself if this one may really be deleted',
  });

async function snapshotOf(ctx: InjectorContext<Needs>, lb: LoadBalancer): Promise<LbSnapshot> {
  const { elbv2, route53 } = ctx.ports;
  const arn = lb.LoadBalancerArn!;
  const [attributes, tags, listeners] = await Promise.all([elbv2.describeLoadBalancerAttributes(arn), elbv2.describeTags([arn]), elbv2.describeListeners(arn)]);
  const described: ListenerDescription[] = [];
  for (const listener of listeners) {
    const [certificates, rules] = await Promise.all([elbv2.describeListenerCertificates(listener.ListenerArn!), elbv2.describeRules(listener.ListenerArn!)]);
    described.push({ listener, certificates, rules });
  }
  const records: RecordSnapshot[] = [];
  for (const zone of (await route53.listHostedZones()).filter((z) => zoneSelected(z, ctx.env.aws?.hostedZones))) {
    for (const record of await route53.listRecordSets(zone.id)) if (recordPointsAt(record, lb.DNSName ?? '')) records.push({ zoneId: zone.id, zoneName: zone.name, record });
  }
  return snapshotLoadBalancer(lb, attributes, tags[arn] ?? [], described, records);
}

export const awsElbv2Delete: Injector<Needs, z.infer<typeof targetSchema>, z.infer<typeof paramsSchema>, Data, ElbUndo> = {
  kind: 'aws.elbv2-delete',
  title: 'Delete a load balancer (and bring it back)',
  description:
    'Deletes an ELBv2 load balancer after journaling a full snapshot; revert re-creates it with the same listeners, rules, target groups and tags, and re-points its Route 53 records to the new DNS name.',
  reversible: true,
  needs: ['elbv2', 'route53'],
  awsAccess: (spec) => elbAccess(spec),
  // waiting for the re-created LB to be active may take its full 10 min; the rest is a few dozen calls
  revertDeadlineMs: ACTIVE_TIMEOUT_MS + 3 * 60_000,
  targetSchema,
  paramsSchema,

  async select(ctx, spec) {
    const { elbv2 } = ctx.ports;
    let lbs: LoadBalancer[];
    if (spec.name) lbs = await elbv2.describeLoadBalancers({ names: [spec.name] });
    else if (spec.arn) lbs = await elbv2.describeLoadBalancers({ arns: [spec.arn] });
    else {
      const all = await elbv2.describeLoadBalancers();
      const tags = await elbv2.describeTags(all.map((l) => l.LoadBalancerArn!));
      const f = parseTagFilter(spec.tag!);
      lbs = all.filter((l) => matchesTagFilter(tags[l.LoadBalancerArn!], f));
    }
    const what = spec.name ? `named ${spec.name}` : spec.arn ? `with ARN ${spec.arn}` : `tagged ${spec.tag}`;
    if (!lbs.length) throw new GamedayError('INVALID_INPUT', `no load balancer ${what} in ${ctx.env.aws?.region ?? 'this region'}`, { hint: 'check the name with `aws elbv2 describe-load-balancers` and the environment’s region' });
    const tags = await elbv2.describeTags(lbs.map((l) => l.LoadBalancerArn!));
    const targets = [];
    for (const lb of lbs) {
      const arn = lb.LoadBalancerArn!;
      if (deletionProtectionOn(await elbv2.describeLoadBalancerAttributes(arn))) throw protectedError(lb.LoadBalancerName ?? arn);
      targets.push({ id: lb.LoadBalancerName ?? arn, scope: { resource: `loadbalancer ${lb.LoadBalancerName}`, optedIn: isOptedIn(ctx, tags[arn]) }, data: { arn, name: lb.LoadBalancerName ?? '' } });
    }
    const notes = lbs.map((l) => `${l.LoadBalancerName}: ${l.Type} ${l.Scheme ?? ''}, DNS ${l.DNSName}; a re-created LB gets a new ARN and DNS name`);
    for (const l of lbs) {
      const owner = CONTROLLER_TAGS.find((k) => tagValue(tags[l.LoadBalancerArn!], k) !== undefined);
      if (owner) notes.push(`${l.LoadBalancerName} is managed by a Kubernetes controller (tag ${owner}): it may re-create it itself when it reconciles; revert then leaves that one alone`);
    }
    // no `candidates`: every match is a target (a name or ARN names one LB; a tag means all it tags), so a share is meaningless
    return { targets, notes };
  },

  async prepare(ctx, target) {
    const [lb] = await ctx.ports.elbv2.describeLoadBalancers({ arns: [target.data.arn] });
    if (!lb) throw new GamedayError('TARGET_GONE', `load balancer ${target.data.name} is gone`, { hint: 'it was deleted since the plan was made: plan again' });
    const snapshot = await snapshotOf(ctx, lb);
    if (deletionProtectionOn(snapshot.attributes)) throw protectedError(snapshot.name);
    return { snapshot };
  },

  async inject(ctx, _target, _params, undo) {
    const s = undo.snapshot;
    try {
      const deleted = await ctx.ports.elbv2.deleteLoadBalancer(s.arn);
      return { deleted, arn: s.arn, dnsName: s.dnsName, listeners: s.listeners.length, records: s.records.map((r) => r.record.Name) };
    } catch (e) {
      if ((e as { name?: string }).name === 'OperationNotPermittedException' || (e as { name?: string }).name === 'OperationNotPermitted') throw protectedError(s.name);
      throw e;
    }
  },

  async revert(ctx, undo, ref) {
    const r = await recreate(ctx, undo.snapshot, ref.drillId);
    return { outcome: r.outcome, detail: { ...r.detail } };
  },

  async verify(ctx, undo, phase) {
    const s = undo.snapshot;
    const { elbv2 } = ctx.ports;
    const old = await elbv2.describeLoadBalancers({ arns: [s.arn] });
    if (phase === 'injected') return old.length ? { ok: false, detail: `${s.name} (${s.arn}) still exists` } : { ok: true, detail: `${s.name} is deleted` };
    if (old.length) return { ok: true, detail: `${s.name} was never deleted` };
    const [lb] = await elbv2.describeLoadBalancers({ names: [s.name] });
    if (!lb) return { ok: false, detail: `no load balancer named ${s.name}` };
    const state = lb.State?.Code;
    const tags = (await elbv2.describeTags([lb.LoadBalancerArn!]))[lb.LoadBalancerArn!];
    if (tagValue(tags, RECREATED_FROM_TAG) !== s.arn) return { ok: true, detail: `${s.name} exists (${lb.LoadBalancerArn}), not re-created by gameday` };
    const listeners = await elbv2.describeListeners(lb.LoadBalancerArn!);
    const missing = s.listeners.filter((l) => !listeners.some((x) => x.Port === l.port && x.Protocol === l.protocol)).map((l) => `${l.protocol}:${l.port}`);
    let rulesMissing = 0;
    for (const l of s.listeners) {
      const live = listeners.find((x) => x.Port === l.port && x.Protocol === l.protocol);
      if (!live) continue;
      const rules = await elbv2.describeRules(live.ListenerArn!);
      rulesMissing += l.rules.filter((r) => !rules.some((x) => Number(x.Priority) === r.priority)).length;
    }
    const ok = state === 'active' && missing.length === 0 && rulesMissing === 0;
    // target health is evidence, not a condition: new targets may still be in `initial`
    const health: string[] = [];
    for (const tg of referencedTargetGroups(s)) {
      const states = (await elbv2.describeTargetHealth(tg)).map((h) => h.TargetHealth?.State ?? 'unknown');
      const counts = [...new Set(states)].map((st) => `${states.filter((x) => x === st).length} ${st}`).join(', ');
      health.push(`${tg.split('/')[1] ?? tg}: ${counts || 'no targets'}`);
    }
    return {
      ok,
      detail: `${s.name} re-created as ${lb.LoadBalancerArn} (${lb.DNSName}), ${state}; ${missing.length ? `listeners missing: ${missing.join(', ')}` : 'all listeners present'}; ${rulesMissing ? `${rulesMissing} rule(s) missing` : 'all rules present'}${health.length ? `; targets ${health.join('; ')}` : ''}`,
    };
  },

  describeRevert(undo, target) {
    return undo ? describeSnapshot(undo.snapshot) : `re-create load balancer ${target.data.name} from its snapshot`;
  },
};

export type { RecreateDetail };
