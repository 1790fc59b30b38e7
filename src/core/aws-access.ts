/**
 * Least-privilege AWS IAM for drills, the AWS side of kube-access.ts. Each AWS injector (and each
 * probe or stop condition that reads AWS) declares what it calls as `AwsAccess` grants; `renderIamPolicy`
 * folds them into one IAM policy document a platform team attaches to the role of unattended drills.
 * `gameday iam` prints it. Pure: no I/O.
 *
 * How a grant is narrowed (its `scope`):
 * - `opted-in`: acts on an existing resource; allowed only while it carries the environment's opt-in
 *   tag (`aws:ResourceTag/<key>`), so IAM itself refuses what the guards would refuse;
 * - `by-arn`: AWS has no tag condition for it (Route 53; ELB listeners and rules carry no tags of
 *   their own): scoped by ARN pattern only, plus whatever conditions the service does support;
 * - `create`: re-creating what a drill deleted (the ELB revert), scoped by name and by the mark the
 *   toolkit puts on what it creates;
 * - `read`: describe/list calls that select and verify need; most of these accept no resource but
 *   "*" in AWS, so they are kept apart, unconditioned and read-only.
 * Every policy also carries explicit Denies on adding or changing the opt-in tag: a drill's role can
 * never opt a resource in, whatever else is attached to it (an explicit Deny always wins in AWS).
 */

/** One IAM condition block: operator → key → values. */
export type IamConditions = Record<string, Record<string, string[]>>;

export type AwsGrantScope = 'read' | 'opted-in' | 'by-arn' | 'create';

export interface AwsAccess {
  /** service:Action, e.g. ec2:StopInstances */
  actions: string[];
  /** ARN patterns (see `awsArn`), or ['*'] where AWS allows nothing narrower */
  resources: string[];
  scope: AwsGrantScope;
  /** conditions beyond the opt-in tag that the service supports (Route 53 record names, tag on create…) */
  conditions?: IamConditions;
  /** why, for the text rendering and the notes */
  why: string;
}

export interface IamPolicyOptions {
  /** the environment's opt-in tag, [key, value] */
  optInTag: [string, string];
  /** the environment's region; absent: any ("*") */
  region?: string;
  /** the AWS account id; absent: any ("*") */
  account?: string;
  /** default "aws"; "aws-cn" / "aws-us-gov" elsewhere */
  partition?: string;
}

export interface IamStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: IamConditions;
}
export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: IamStatement[];
}
export interface IamPolicy {
  document: IamPolicyDocument;
  /** one line per statement: its Sid and why it is there and shaped so */
  notes: { sid: string; note: string }[];
}

/** An ARN pattern for a regional resource; `{partition}`, `{region}`, `{account}` are filled by the renderer. */
export const awsArn = (service: string, resource: string): string => `arn:{partition}:${service}:{region}:{account}:${resource}`;
/** Route 53 ARNs have neither region nor account. */
export const route53Arn = (resource: string): string => `arn:{partition}:route53:::${resource}`;

/** AWS's limit on a managed policy's size (characters, whitespace not counted). */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/**
 * The tagging actions of every service an AWS injector can target: the Deny statements keep a
 * drill's role from adding or changing the opt-in tag with any of them. `tagKeys: false`: the
 * service has no `aws:TagKeys` condition (Route 53), so its tagging is denied outright — a drill
 * never tags a hosted zone.
 */
const TAGGING: { service: string; actions: string[]; tagKeys: boolean }[] = [
  { service: 'ec2', actions: ['ec2:CreateTags'], tagKeys: true },
  { service: 'autoscaling', actions: ['autoscaling:CreateOrUpdateTags'], tagKeys: true },
  { service: 'elasticloadbalancing', actions: ['elasticloadbalancing:AddTags'], tagKeys: true },
  { service: 'rds', actions: ['rds:AddTagsToResource'], tagKeys: true },
  { service: 'mq', actions: ['mq:CreateTags'], tagKeys: true },
  { service: 'route53', actions: ['route53:ChangeTagsForResource'], tagKeys: false },
];

const SERVICE_WORD: Record<string, string> = {
  ec2: 'Ec2',
  autoscaling: 'AutoScaling',
  elasticloadbalancing: 'Elb',
  rds: 'Rds',
  mq: 'Mq',
  route53: 'Route53',
  cloudwatch: 'CloudWatch',
};
const SCOPE_WORD: Record<AwsGrantScope, string> = {
  read: 'ReadOnlyNotScopableByTag',
  'opted-in': 'OnlyOptedInResources',
  'by-arn': 'ByArnNoTagConditionInAws',
  create: 'RecreateOnlyWithGamedayMark',
};
const SCOPE_NOTE: Record<AwsGrantScope, string> = {
  read: 'read-only describe/list calls; AWS evaluates most of them against "*" only, so no tag condition can narrow them',
  'opted-in': 'only resources that carry the opt-in tag',
  'by-arn': 'AWS offers no tag condition here: scoped by ARN (and the conditions the service supports) only',
  create: 're-creating what a drill deleted: only under the same name and only carrying the toolkit’s mark',
};

export const serviceOf = (action: string): string => action.slice(0, action.indexOf(':'));
const word = (service: string): string => SERVICE_WORD[service] ?? service.replace(/(^|[^a-z0-9])([a-z0-9])/gi, (_, __, c: string) => c.toUpperCase());
const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** Grants with the same service, scope, resources and conditions become one; actions sorted, reasons joined. */
export function mergeAwsAccess(accesses: readonly AwsAccess[]): AwsAccess[] {
  const byKey = new Map<string, AwsAccess>();
  for (const a of splitByService(accesses)) {
    const resources = sorted(a.resources);
    const key = JSON.stringify([serviceOf(a.actions[0]!), a.scope, resources, a.conditions ?? null]);
    const had = byKey.get(key);
    if (!had) {
      byKey.set(key, { ...a, actions: sorted(a.actions), resources });
      continue;
    }
    had.actions = sorted([...had.actions, ...a.actions]);
    if (!had.why.split('; ').includes(a.why)) had.why = `${had.why}; ${a.why}`;
  }
  const order: AwsGrantScope[] = ['read', 'opted-in', 'by-arn', 'create'];
  return [...byKey.values()].sort((x, y) => serviceOf(x.actions[0]!).localeCompare(serviceOf(y.actions[0]!)) || order.indexOf(x.scope) - order.indexOf(y.scope));
}

/** A statement is about one service: a grant that names actions of several is split. */
function splitByService(accesses: readonly AwsAccess[]): AwsAccess[] {
  return accesses.flatMap((a) => {
    const services = sorted(a.actions.map(serviceOf));
    return services.map((s) => ({ ...a, actions: a.actions.filter((x) => serviceOf(x) === s) }));
  });
}

const fill = (pattern: string, o: IamPolicyOptions): string =>
  pattern.replaceAll('{partition}', o.partition ?? 'aws').replaceAll('{region}', o.region ?? '*').replaceAll('{account}', o.account ?? '*');

/** The opt-in tag's condition, joined with what the grant brings. */
function conditionsOf(a: AwsAccess, o: IamPolicyOptions): IamConditions | undefined {
  const out: IamConditions = {};
  for (const [op, kv] of Object.entries(a.conditions ?? {})) out[op] = { ...kv };
  if (a.scope === 'opted-in') out.StringEquals = { ...(out.StringEquals ?? {}), [`aws:ResourceTag/${o.optInTag[0]}`]: [o.optInTag[1]] };
  return Object.keys(out).length ? out : undefined;
}

/** Sids must be unique and alphanumeric: the scope words say why a statement is shaped so. */
function uniqueSid(base: string, taken: Set<string>): string {
  let sid = base;
  for (let i = 2; taken.has(sid); i++) sid = `${base}${i}`;
  taken.add(sid);
  return sid;
}

/**
 * The Denies on the opt-in tag. ELBv2 authorizes the tags of CreateLoadBalancer as AddTags (tag on
 * create): when the policy lets the ELB revert re-create a load balancer — which must carry its
 * opt-in tag again — the Deny spares exactly that create (`elasticloadbalancing:CreateAction`);
 * a standalone AddTags has no such key, so the Deny still applies to it.
 */
function optInDenies(o: IamPolicyOptions, recreatesLoadBalancers: boolean): { statement: Omit<IamStatement, 'Sid'>; note: string; service: string }[] {
  const key = o.optInTag[0];
  return TAGGING.map((t) => {
    const condition: IamConditions = t.tagKeys ? { 'ForAnyValue:StringEquals': { 'aws:TagKeys': [key] } } : {};
    const spareCreate = t.service === 'elasticloadbalancing' && recreatesLoadBalancers;
    if (spareCreate) condition.StringNotEquals = { 'elasticloadbalancing:CreateAction': ['CreateLoadBalancer'] };
    const note = !t.tagKeys
      ? `${t.service} has no aws:TagKeys condition: all its tagging is denied (drills never tag there)`
      : `never add or change the opt-in tag ${key}${spareCreate ? ' (except on the load balancer the ELB revert re-creates, which gets its tags back)' : ''}`;
    return { service: t.service, note, statement: { Effect: 'Deny', Action: t.actions, Resource: ['*'], ...(Object.keys(condition).length ? { Condition: condition } : {}) } };
  });
}

/** The policy document and its notes. Allows grouped by service and scope, then the opt-in Denies. */
export function renderIamPolicy(accesses: readonly AwsAccess[], o: IamPolicyOptions): IamPolicy {
  const taken = new Set<string>();
  const statements: IamStatement[] = [];
  const notes: IamPolicy['notes'] = [];
  const merged = mergeAwsAccess(accesses);
  for (const a of merged) {
    const sid = uniqueSid(`${word(serviceOf(a.actions[0]!))}${SCOPE_WORD[a.scope]}`, taken);
    const condition = conditionsOf(a, o);
    statements.push({ Sid: sid, Effect: 'Allow', Action: a.actions, Resource: sorted(a.resources.map((r) => fill(r, o))), ...(condition ? { Condition: condition } : {}) });
    notes.push({ sid, note: `${SCOPE_NOTE[a.scope]} — ${a.why}` });
  }
  const recreates = merged.some((a) => a.actions.includes('elasticloadbalancing:CreateLoadBalancer'));
  for (const d of optInDenies(o, recreates)) {
    const sid = uniqueSid(`DenyOptInTag${word(d.service)}`, taken);
    statements.push({ Sid: sid, ...d.statement });
    notes.push({ sid, note: d.note });
  }
  return { document: { Version: '2012-10-17', Statement: statements }, notes };
}

/** The size AWS counts against its policy limits: the JSON without whitespace. */
export const policySize = (doc: IamPolicyDocument): number => JSON.stringify(doc).length;

/** Every action a policy allows (for tests and the text view). */
export const allowedActions = (doc: IamPolicyDocument): string[] => sorted(doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
