/**
 * `aws.route53-weight` (reversible): the seed's low-TTL weighted DNS, used to phase traffic between
 * the old stack and the new. Shifts the weights of one weighted record set (name + type in a
 * hosted zone), e.g. all traffic to the old stack. prepare journals every weighted record of the
 * set in full; inject UPSERTs them with the new weights (the change batch's comment names the
 * drill and fault: records cannot carry tags); revert UPSERTs the journaled records back where the
 * weights differ. Opt-in is the hosted zone's tag.
 */
import { z } from 'zod';
import { GamedayError } from '../../core/errors.js';
import { integer, nonEmpty } from '../../core/schema-helpers.js';
import type { ResourceRecordSet } from '../../ports/aws.js';
import type { Injector, InjectorContext } from '../contract.js';
import { isOptedIn } from '../aws-shared/common.js';
import { markOf } from '../fault-mark.js';
import { hostedZoneArns, LIST_ZONES_ACCESS, normalisedRecordName } from '../aws-shared/route53-access.js';
import type { AwsAccess } from '../../core/aws-access.js';

const withDot = (n: string): string => (n.endsWith('.') ? n : `${n}.`).toLowerCase();

const targetSchema = z.strictObject({
  /** the hosted zone's name (shop.example) or id */
  zone: nonEmpty,
  /** the record name (www.shop.example) */
  name: nonEmpty,
  type: z.enum(['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'NS', 'PTR', 'SPF', 'CAA', 'NAPTR', 'DS']).default('A'),
});
const paramsSchema = z
  .strictObject({
    /** all traffic to this set identifier: it gets weight 100, every other set 0 */
    shiftTo: nonEmpty.optional(),
    /** or explicit weights per set identifier (sets not named keep theirs) */
    weights: z.record(z.string(), integer(0, 255)).optional(),
  })
  .refine((p) => (p.shiftTo === undefined) !== (p.weights === undefined), { message: 'give exactly one of shiftTo (a set identifier) or weights ({ identifier: weight })' });

type Spec = z.infer<typeof targetSchema>;
type Params = z.infer<typeof paramsSchema>;
type Data = { zoneId: string; zoneName: string; name: string; type: string };
export type WeightUndo = Data & { before: ResourceRecordSet[]; after: Record<string, number>; mark: string };

const label = (d: { name: string; type: string }) => `record set ${d.name} ${d.type}`;
const weightsOf = (rs: ResourceRecordSet[]): Record<string, number> => Object.fromEntries(rs.map((r) => [r.SetIdentifier!, r.Weight ?? 0]));
const fmt = (w: Record<string, number>): string => Object.entries(w).map(([k, v]) => `${k}=${v}`).join(', ');

async function weighted(ctx: InjectorContext<'route53'>, d: Data): Promise<ResourceRecordSet[]> {
  const all = await ctx.ports.route53.listRecordSets(d.zoneId);
  return all.filter((r) => withDot(r.Name ?? '') === withDot(d.name) && r.Type === d.type && r.SetIdentifier !== undefined && r.Weight !== undefined);
}

function newWeights(current: Record<string, number>, params: Params): Record<string, number> | string {
  const ids = Object.keys(current);
  if (params.shiftTo !== undefined) {
    if (!ids.includes(params.shiftTo)) return `shiftTo: no set identifier ${params.shiftTo} (sets: ${ids.join(', ')})`;
    return Object.fromEntries(ids.map((id) => [id, id === params.shiftTo ? 100 : 0]));
  }
  const unknown = Object.keys(params.weights!).filter((k) => !ids.includes(k));
  if (unknown.length) return `weights: no set identifier ${unknown.join(', ')} (sets: ${ids.join(', ')})`;
  return { ...current, ...params.weights };
}

/**
 * Route 53 has no tag conditions: the opt-in tag of the zone is checked by the guards only. IAM
 * scopes the change by zone ARN (when the scenario gives the zone's id) and, where the scenario
 * names it, to UPSERTs of this one record name and type (Route 53's record-set conditions).
 */
function weightAccess(spec: Spec | undefined): AwsAccess[] {
  const zones = hostedZoneArns(spec?.zone);
  const only: AwsAccess['conditions'] = spec
    ? { 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [normalisedRecordName(spec.name)], 'route53:ChangeResourceRecordSetsRecordTypes': [spec.type], 'route53:ChangeResourceRecordSetsActions': ['UPSERT'] } }
    : { 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsActions': ['UPSERT'] } };
  const byName = spec && !zones[0]!.endsWith('/*') ? '' : ` (zone ${spec?.zone ?? 'of the scenario'} by name: put its id in the ARN — aws route53 list-hosted-zones-by-name)`;
  return [
    LIST_ZONES_ACCESS,
    { actions: ['route53:ListTagsForResource', 'route53:ListResourceRecordSets'], resources: zones, scope: 'by-arn', why: `read the zone's opt-in tag and the weighted records${byName}` },
    { actions: ['route53:ChangeResourceRecordSets'], resources: zones, scope: 'by-arn', conditions: only, why: `inject and revert UPSERT the weights${spec ? ` of ${spec.name} ${spec.type} only` : ''}${byName}` },
  ];
}

export const awsRoute53Weight: Injector<'route53', Spec, Params, Data, WeightUndo> = {
  kind: 'aws.route53-weight',
  title: 'Shift weighted DNS',
  description: 'Shifts the weights of a weighted Route 53 record set (e.g. all traffic to the old stack); revert restores the journaled weights. Resolvers follow within the TTL.',
  reversible: true,
  needs: ['route53'],
  targetSchema,
  paramsSchema,
  awsAccess: (spec) => weightAccess(spec),

  async select(ctx, spec, params) {
    const zones = await ctx.ports.route53.listHostedZones();
    const zone = zones.find((z) => z.id === spec.zone.replace(/^\/?hostedzone\//, '') || z.name === withDot(spec.zone));
    if (!zone) throw new GamedayError('INVALID_INPUT', `aws.route53-weight: no hosted zone ${spec.zone}`, { hint: `zones: ${zones.map((z) => z.name).join(', ') || '(none)'} (aws route53 list-hosted-zones)` });
    const data: Data = { zoneId: zone.id, zoneName: zone.name, name: withDot(spec.name), type: spec.type };
    const sets = await weighted(ctx, data);
    if (!sets.length) throw new GamedayError('INVALID_INPUT', `aws.route53-weight: no weighted ${label(data)} in zone ${zone.name}`, { hint: `aws route53 list-resource-record-sets --hosted-zone-id ${zone.id}` });
    const before = weightsOf(sets);
    const after = newWeights(before, params);
    if (typeof after === 'string') throw new GamedayError('INVALID_INPUT', `aws.route53-weight: ${after}`, { hint: 'use the SetIdentifier of each weighted record' });
    if (fmt(after) === fmt(before)) throw new GamedayError('INVALID_INPUT', `aws.route53-weight: ${label(data)} already has weights ${fmt(before)}: nothing would shift`, { hint: 'choose other weights' });
    const ttl = sets[0]?.TTL;
    return {
      notes: [`${label(data)}: ${fmt(before)} → ${fmt(after)}${ttl !== undefined ? `; TTL ${ttl} s: resolvers follow within it` : ' (alias records: the TTL of the target)'}`],
      targets: [{ id: `${data.name}${data.type}`, scope: { resource: `${label(data)} in ${zone.name}`, optedIn: isOptedIn(ctx, await ctx.ports.route53.listZoneTags(zone.id)) }, data }],
    };
  },

  async prepare(ctx, target, params, ref) {
    const sets = await weighted(ctx, target.data);
    if (!sets.length) throw new GamedayError('TARGET_GONE', `${label(target.data)} is gone`, { hint: 'plan again' });
    const after = newWeights(weightsOf(sets), params);
    if (typeof after === 'string') throw new GamedayError('TARGET_GONE', `${label(target.data)} changed: ${after}`, { hint: 'plan again' });
    return { ...target.data, before: sets, after, mark: markOf(ref) };
  },

  async inject(ctx, _target, _params, undo) {
    const changed = undo.before.filter((r) => undo.after[r.SetIdentifier!] !== r.Weight).map((r) => ({ ...r, Weight: undo.after[r.SetIdentifier!]! }));
    const change = await ctx.ports.route53.upsertRecordSets(undo.zoneId, changed, `gameday ${undo.mark}: shift weights`);
    return { record: label(undo), weightsBefore: weightsOf(undo.before), weights: undo.after, change };
  },

  async revert(ctx, undo) {
    const now = weightsOf(await weighted(ctx, undo));
    // sets deleted since count as reverted; sets whose weight is already the journaled one are left alone
    const back = undo.before.filter((r) => Object.hasOwn(now, r.SetIdentifier!) && now[r.SetIdentifier!] !== r.Weight);
    if (!back.length) return { outcome: 'already-reverted', detail: { record: label(undo), weights: now } };
    await ctx.ports.route53.upsertRecordSets(undo.zoneId, back, `gameday ${undo.mark}: restore weights`);
    return { outcome: 'reverted', detail: { record: label(undo), weights: weightsOf(undo.before) } };
  },

  async verify(ctx, undo, phase) {
    const now = weightsOf(await weighted(ctx, undo));
    const want = phase === 'injected' ? undo.after : weightsOf(undo.before);
    const ok = Object.entries(want).every(([id, w]) => (Object.hasOwn(now, id) ? now[id] === w : phase === 'reverted'));
    return { ok, detail: `${label(undo)}: ${fmt(now) || 'no weighted sets'} (${phase === 'injected' ? 'fault' : 'before'}: ${fmt(want)})` };
  },

  describeRevert(undo, target) {
    return undo ? `restore ${label(undo)} weights ${fmt(weightsOf(undo.before))}` : `restore ${label(target.data)}'s journaled weights`;
  },
};
