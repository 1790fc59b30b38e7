/**
 * Pure mapping for `aws.elbv2-delete`: describe output → snapshot (journaled as JSON before the
 * delete) → create inputs (used by revert, possibly in another process after a crash).
 * No I/O here; every shape is the SDK's own (type-only imports).
 */
import type {
  Action,
  Certificate,
  CreateListenerCommandInput,
  CreateLoadBalancerCommandInput,
  CreateRuleCommandInput,
  Listener,
  LoadBalancer,
  LoadBalancerAttribute,
  Rule,
  RuleCondition,
  SubnetMapping,
  Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';

export interface RuleSnapshot {
  priority: number;
  conditions: RuleCondition[];
  actions: Action[];
}
export interface ListenerSnapshot {
  arn: string;
  protocol: string;
  port: number;
  sslPolicy?: string;
  /** the default certificate first, then the additional ones */
  certificates: string[];
  alpnPolicy?: string[];
  mutualAuthentication?: Listener['MutualAuthentication'];
  defaultActions: Action[];
  /** non-default rules, by priority */
  rules: RuleSnapshot[];
}
export interface RecordSnapshot {
  zoneId: string;
  zoneName: string;
  record: ResourceRecordSet;
}
export interface LbSnapshot {
  arn: string;
  name: string;
  dnsName: string;
  canonicalHostedZoneId?: string;
  type: string;
  scheme?: string;
  ipAddressType?: string;
  vpcId?: string;
  subnets: SubnetMapping[];
  securityGroups: string[];
  customerOwnedIpv4Pool?: string;
  attributes: LoadBalancerAttribute[];
  tags: Tag[];
  listeners: ListenerSnapshot[];
  records: RecordSnapshot[];
}

const clean = <T extends object>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
const defined = <T>(v: T | undefined | null): v is T => v !== undefined && v !== null;

export interface ListenerDescription {
  listener: Listener;
  /** DescribeListenerCertificates: all of them, the default one flagged IsDefault */
  certificates: Certificate[];
  rules: Rule[];
}

/** Conditions as returned by DescribeRules carry both the legacy `Values` and a `*Config`: keep one. */
export function normaliseCondition(c: RuleCondition): RuleCondition {
  const out: RuleCondition = clean(c);
  const hasConfig = !!(c.HostHeaderConfig || c.PathPatternConfig || c.HttpHeaderConfig || c.QueryStringConfig || c.HttpRequestMethodConfig || c.SourceIpConfig);
  if (hasConfig) delete out.Values;
  return out;
}

/** Forward actions: describe gives TargetGroupArn and ForwardConfig; with several groups only ForwardConfig is valid. */
export function normaliseAction(a: Action): Action {
  const out: Action = clean(a);
  if (out.Type === 'forward' && out.ForwardConfig?.TargetGroups && out.ForwardConfig.TargetGroups.length > 1) delete out.TargetGroupArn;
  return out;
}

export function snapshotListener(d: ListenerDescription): ListenerSnapshot {
  const l = d.listener;
  const defaultCerts = (l.Certificates ?? []).map((c) => c.CertificateArn).filter(defined);
  const extra = d.certificates.filter((c) => !c.IsDefault).map((c) => c.CertificateArn).filter(defined);
  const certificates = [...new Set([...defaultCerts, ...extra])];
  const secure = l.Protocol === 'HTTPS' || l.Protocol === 'TLS';
  const snap: ListenerSnapshot = {
    arn: l.ListenerArn ?? '',
    protocol: l.Protocol ?? 'HTTP',
    port: l.Port ?? 80,
    certificates,
    defaultActions: (l.DefaultActions ?? []).map(normaliseAction),
    rules: d.rules
      .filter((r) => !r.IsDefault && r.Priority !== 'default')
      .map((r) => ({ priority: Number(r.Priority), conditions: (r.Conditions ?? []).map(normaliseCondition), actions: (r.Actions ?? []).map(normaliseAction) }))
      .sort((a, b) => a.priority - b.priority),
  };
  if (secure && l.SslPolicy) snap.sslPolicy = l.SslPolicy;
  if (l.Protocol === 'TLS' && l.AlpnPolicy?.length) snap.alpnPolicy = [...l.AlpnPolicy];
  if (l.MutualAuthentication && l.MutualAuthentication.Mode && l.MutualAuthentication.Mode !== 'off') snap.mutualAuthentication = clean(l.MutualAuthentication);
  return snap;
}

export function snapshotLoadBalancer(lb: LoadBalancer, attributes: LoadBalancerAttribute[], tags: Tag[], listeners: ListenerDescription[], records: RecordSnapshot[]): LbSnapshot {
  const subnets: SubnetMapping[] = (lb.AvailabilityZones ?? [])
    .filter((az) => az.SubnetId)
    .map((az) => {
      const m: SubnetMapping = { SubnetId: az.SubnetId! };
      const addr = az.LoadBalancerAddresses?.[0];
      if (addr?.AllocationId) m.AllocationId = addr.AllocationId;
      if (addr?.PrivateIPv4Address) m.PrivateIPv4Address = addr.PrivateIPv4Address;
      if (addr?.IPv6Address) m.IPv6Address = addr.IPv6Address;
      return m;
    });
  const snap: LbSnapshot = {
    arn: lb.LoadBalancerArn ?? '',
    name: lb.LoadBalancerName ?? '',
    dnsName: lb.DNSName ?? '',
    type: lb.Type ?? 'application',
    subnets,
    securityGroups: [...(lb.SecurityGroups ?? [])],
    attributes: attributes.filter((a) => a.Key).map((a) => ({ Key: a.Key, Value: a.Value ?? '' })),
    tags: tags.filter((t) => t.Key).map((t) => ({ Key: t.Key, Value: t.Value ?? '' })),
    listeners: listeners.map(snapshotListener).sort((a, b) => a.port - b.port),
    records: clean(records),
  };
  if (lb.CanonicalHostedZoneId) snap.canonicalHostedZoneId = lb.CanonicalHostedZoneId;
  if (lb.Scheme) snap.scheme = lb.Scheme;
  if (lb.IpAddressType) snap.ipAddressType = lb.IpAddressType;
  if (lb.VpcId) snap.vpcId = lb.VpcId;
  if (lb.CustomerOwnedIpv4Pool) snap.customerOwnedIpv4Pool = lb.CustomerOwnedIpv4Pool;
  return snap;
}

/** Every target group ARN the listeners and rules forward to. */
export function referencedTargetGroups(snap: LbSnapshot): string[] {
  const arns = new Set<string>();
  const visit = (a: Action) => {
    if (a.TargetGroupArn) arns.add(a.TargetGroupArn);
    for (const tg of a.ForwardConfig?.TargetGroups ?? []) if (tg.TargetGroupArn) arns.add(tg.TargetGroupArn);
  };
  for (const l of snap.listeners) {
    l.defaultActions.forEach(visit);
    for (const r of l.rules) r.actions.forEach(visit);
  }
  return [...arns].sort();
}

export const deletionProtectionOn = (attributes: readonly LoadBalancerAttribute[]): boolean =>
  attributes.some((a) => a.Key === 'deletion_protection.enabled' && a.Value === 'true');

/** Tags the user can set (AWS reserves `aws:`), our drill marks replaced by fresh ones. */
export function recreatedTags(snap: LbSnapshot, drillId: string, reserved: readonly string[]): Tag[] {
  const kept = snap.tags.filter((t) => t.Key && !t.Key.startsWith('aws:') && !reserved.includes(t.Key));
  return [...kept, { Key: reserved[0], Value: drillId }, { Key: reserved[1], Value: snap.arn }];
}

export function createLoadBalancerInput(snap: LbSnapshot, tags: Tag[]): CreateLoadBalancerCommandInput {
  const needsMappings = snap.subnets.some((s) => s.AllocationId || s.PrivateIPv4Address || s.IPv6Address);
  const input: CreateLoadBalancerCommandInput = { Name: snap.name, Type: snap.type as CreateLoadBalancerCommandInput['Type'], Tags: tags };
  if (needsMappings) input.SubnetMappings = clean(snap.subnets);
  else input.Subnets = snap.subnets.map((s) => s.SubnetId!).filter(defined);
  if (snap.securityGroups.length) input.SecurityGroups = [...snap.securityGroups];
  if (snap.scheme && snap.type !== 'gateway') input.Scheme = snap.scheme as CreateLoadBalancerCommandInput['Scheme'];
  if (snap.ipAddressType) input.IpAddressType = snap.ipAddressType as CreateLoadBalancerCommandInput['IpAddressType'];
  if (snap.customerOwnedIpv4Pool) input.CustomerOwnedIpv4Pool = snap.customerOwnedIpv4Pool;
  return input;
}

export function createListenerInput(l: ListenerSnapshot, lbArn: string): CreateListenerCommandInput {
  const input: CreateListenerCommandInput = {
    LoadBalancerArn: lbArn,
    Protocol: l.protocol as CreateListenerCommandInput['Protocol'],
    Port: l.port,
    DefaultActions: clean(l.defaultActions),
  };
  if (l.certificates.length) input.Certificates = [{ CertificateArn: l.certificates[0] }];
  if (l.sslPolicy) input.SslPolicy = l.sslPolicy;
  if (l.alpnPolicy?.length) input.AlpnPolicy = [...l.alpnPolicy];
  if (l.mutualAuthentication) input.MutualAuthentication = clean(l.mutualAuthentication);
  return input;
}

/** The certificates beyond the default one, for AddListenerCertificates. */
export const additionalCertificates = (l: ListenerSnapshot): Certificate[] => l.certificates.slice(1).map((arn) => ({ CertificateArn: arn }));

export function createRuleInput(r: RuleSnapshot, listenerArn: string): CreateRuleCommandInput {
  return { ListenerArn: listenerArn, Priority: r.priority, Conditions: clean(r.conditions), Actions: clean(r.actions) };
}

// ---- Route 53 -------------------------------------------------------------------------------

/** Lower case, no trailing dot, no `dualstack.` prefix: how an alias or CNAME names an LB. */
export const normaliseDnsName = (name: string): string => name.trim().toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '');

export function recordPointsAt(record: ResourceRecordSet, lbDnsName: string): boolean {
  const want = normaliseDnsName(lbDnsName);
  if (!want) return false;
  if (record.AliasTarget?.DNSName) return normaliseDnsName(record.AliasTarget.DNSName) === want;
  if (record.Type === 'CNAME') return (record.ResourceRecords ?? []).some((rr) => rr.Value && normaliseDnsName(rr.Value) === want);
  return false;
}

/** The same record, pointing at the re-created LB (keeping a `dualstack.` prefix and the trailing dot style). */
export function repointRecord(record: ResourceRecordSet, newDnsName: string, newCanonicalHostedZoneId: string | undefined): ResourceRecordSet {
  const out: ResourceRecordSet = clean(record);
  if (out.AliasTarget?.DNSName) {
    const old = out.AliasTarget.DNSName;
    const prefix = /^dualstack\./i.test(old) ? 'dualstack.' : '';
    const dot = old.endsWith('.') ? '.' : '';
    out.AliasTarget.DNSName = `${prefix}${normaliseDnsName(newDnsName)}${dot}`;
    if (newCanonicalHostedZoneId) out.AliasTarget.HostedZoneId = newCanonicalHostedZoneId;
  } else if (out.Type === 'CNAME') {
    out.ResourceRecords = [{ Value: normaliseDnsName(newDnsName) }];
  }
  return out;
}

/** A record as it stands now is already the re-pointed one. */
export const sameRecordTarget = (a: ResourceRecordSet, b: ResourceRecordSet): boolean =>
  a.AliasTarget?.DNSName
    ? normaliseDnsName(a.AliasTarget.DNSName) === normaliseDnsName(b.AliasTarget?.DNSName ?? '') && (a.AliasTarget.HostedZoneId ?? '') === (b.AliasTarget?.HostedZoneId ?? '')
    : JSON.stringify((a.ResourceRecords ?? []).map((r) => normaliseDnsName(r.Value ?? ''))) === JSON.stringify((b.ResourceRecords ?? []).map((r) => normaliseDnsName(r.Value ?? '')));

/** Identity of a record set within a zone (name, type, routing identifier). */
export const recordKey = (r: ResourceRecordSet): string => `${normaliseDnsName(r.Name ?? '')}|${r.Type ?? ''}|${r.SetIdentifier ?? ''}`;

/** Does the environment's hostedZones list (ids or names) include this zone? */
export function zoneSelected(zone: { id: string; name: string }, wanted: readonly string[] | undefined): boolean {
  if (!wanted || wanted.length === 0) return true;
  const id = zone.id.replace(/^\/?hostedzone\//, '');
  const name = normaliseDnsName(zone.name);
  return wanted.some((w) => w.replace(/^\/?hostedzone\//, '') === id || normaliseDnsName(w) === name);
}

/** One-line summary for the plan and the revert. */
export function describeSnapshot(snap: LbSnapshot): string {
  const rules = snap.listeners.reduce((n, l) => n + l.rules.length, 0);
  const recs = snap.records.length;
  return `re-create ${snap.type} load balancer ${snap.name} (${snap.listeners.length} listener${snap.listeners.length === 1 ? '' : 's'}, ${rules} rule${rules === 1 ? '' : 's'}, ${snap.tags.length} tag${snap.tags.length === 1 ? '' : 's'})${recs ? ` and re-point ${recs} Route 53 record${recs === 1 ? '' : 's'} to its new DNS name` : ''}`;
}
