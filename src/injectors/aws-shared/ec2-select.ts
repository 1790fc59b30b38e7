/** Target selection shared by `aws.ec2-stop` and `aws.ec2-terminate`. */
import { z } from 'zod';
import type { InjectorContext, Selection } from '../contract.js';
import { GamedayError } from '../../core/errors.js';
import { integer } from '../../core/schema-helpers.js';
import type { Instance } from '../../ports/aws.js';
import { isOptedIn, parseTagFilter, tagValue } from './common.js';
import { awsArn, type AwsAccess } from '../../core/aws-access.js';

export const ec2TargetSchema = z
  .strictObject({
    /** one or more instance ids, joined by `+` */
    id: z.string().regex(/^i-[0-9a-f]+(\+i-[0-9a-f]+)*$/, 'write i-0123abcd (several joined by +)').optional(),
    /** the Name tag */
    name: z.string().min(1).optional(),
    /** key=value (or a bare key) */
    tag: z.string().min(1).optional(),
    /** the instances of an Auto Scaling group */
    asg: z.string().min(1).optional(),
  })
  .refine((t) => [t.id, t.name, t.tag, t.asg].filter(Boolean).length === 1, { message: 'give exactly one of id, name, tag or asg (e.g. name=web-1)' });
export type Ec2TargetSpec = z.infer<typeof ec2TargetSchema>;

export const ec2ParamsSchema = z.strictObject({
  /** how many of the matching running instances to pick (seeded random); default all */
  count: integer(1, 10_000).optional(),
});

export type Ec2Data = { instanceId: string; name?: string };

export const instanceLabel = (i: { instanceId: string; name?: string | undefined }) => `instance ${i.instanceId}${i.name ? ` (${i.name})` : ''}`;

/** Running instances matching the spec; `count` of them picked with the seeded random. */
export async function selectInstances(ctx: InjectorContext<'ec2'>, spec: Ec2TargetSpec, count: number | undefined, random: () => number): Promise<{ selection: Selection<Ec2Data>; chosen: Instance[] }> {
  const running = { name: 'instance-state-name', values: ['running'] };
  let found: Instance[];
  let what: string;
  if (spec.id) {
    const ids = spec.id.split('+');
    found = (await ctx.ports.ec2.describeInstances({ ids })).filter((i) => i.State?.Name === 'running');
    what = `with id ${ids.join(', ')}`;
  } else {
    const f = spec.name ? { key: 'Name', value: spec.name } : spec.asg ? { key: 'aws:autoscaling:groupName', value: spec.asg } : parseTagFilter(spec.tag!);
    const filter = f.value === undefined ? { name: 'tag-key', values: [f.key] } : { name: `tag:${f.key}`, values: [f.value] };
    found = await ctx.ports.ec2.describeInstances({ filters: [running, filter] });
    what = spec.name ? `named ${spec.name}` : spec.asg ? `in Auto Scaling group ${spec.asg}` : `tagged ${spec.tag}`;
  }
  if (!found.length) throw new GamedayError('INVALID_INPUT', `no running EC2 instance ${what} in ${ctx.env.aws?.region ?? 'this region'}`, { hint: 'check with `aws ec2 describe-instances` (only running instances are candidates)' });
  found.sort((a, b) => (a.InstanceId ?? '').localeCompare(b.InstanceId ?? ''));
  const pool = [...found];
  const chosen: Instance[] = [];
  const n = Math.min(count ?? pool.length, pool.length);
  while (chosen.length < n) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  const targets = chosen.map((i) => {
    const data: Ec2Data = { instanceId: i.InstanceId! };
    const name = tagValue(i.Tags, 'Name');
    if (name) data.name = name;
    return { id: i.InstanceId!, scope: { resource: instanceLabel(data), optedIn: isOptedIn(ctx, i.Tags) }, data };
  });
  // a share of the candidates only means something when `count` picks some of them
  return { selection: count === undefined ? { targets } : { targets, candidates: found.length }, chosen };
}

export async function instanceState(ctx: InjectorContext<'ec2'>, id: string): Promise<string> {
  const [i] = await ctx.ports.ec2.describeInstances({ ids: [id] });
  return i?.State?.Name ?? 'not-found';
}

/** The instances a spec can reach, as ARN patterns: the ids it names, or any instance (name, tag, group). */
export const instanceArns = (spec: Ec2TargetSpec | undefined): string[] => (spec?.id ? spec.id.split('+').map((id) => awsArn('ec2', `instance/${id}`)) : [awsArn('ec2', 'instance/*')]);

/** What selecting instances reads: DescribeInstances accepts no resource but "*" in AWS. */
export const EC2_SELECT_ACCESS: AwsAccess = { actions: ['ec2:DescribeInstances'], resources: ['*'], scope: 'read', why: 'select running instances by id, name, tag or group; verify their state' };
