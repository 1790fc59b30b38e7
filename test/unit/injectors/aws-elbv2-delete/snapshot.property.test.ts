/**
 * Round-trip property for many LB shapes: describe output → snapshot → create inputs → (what AWS
 * would describe after those creates) → snapshot again gives the same snapshot, up to the new ARNs,
 * DNS name and our own tags. The "AWS" here is a small pure model of how describe echoes creates
 * (forward actions come back with both TargetGroupArn and ForwardConfig, conditions with both the
 * legacy Values and their *Config, priorities as strings, a default rule per listener).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SubnetMapping, Action, Certificate, CreateListenerCommandInput, CreateLoadBalancerCommandInput, CreateRuleCommandInput, Listener, LoadBalancer, Rule, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  additionalCertificates,
  createListenerInput,
  createLoadBalancerInput,
  createRuleInput,
  recordPointsAt,
  recreatedTags,
  repointRecord,
  snapshotLoadBalancer,
  type LbSnapshot,
  type ListenerDescription,
} from '../../../../src/injectors/aws-elbv2-delete/snapshot.js';

const RESERVED = ['gameday:drill', 'gameday:recreated-from'];
const tgArn = (i: number) => `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg-${i}/${(1000 + i).toString(16)}`;
const certArn = (i: number) => `arn:aws:acm:eu-west-1:123456789012:certificate/c-${i}`;

/** How AWS echoes an action in describe output. */
function describedAction(a: Action): Action {
  if (a.Type !== 'forward') return a;
  const groups = a.ForwardConfig?.TargetGroups ?? (a.TargetGroupArn ? [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }] : []);
  const out: Action = { ...a, ForwardConfig: { TargetGroups: groups, TargetGroupStickinessConfig: a.ForwardConfig?.TargetGroupStickinessConfig ?? { Enabled: false } } };
  if (groups.length === 1) out.TargetGroupArn = groups[0]!.TargetGroupArn;
  return out;
}
function describedCondition(c: RuleCondition): RuleCondition {
  const values = c.PathPatternConfig?.Values ?? c.HostHeaderConfig?.Values;
  return values && !c.Values ? { ...c, Values: values } : c;
}

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.nat(5).map((i) => describedAction({ Type: 'forward', TargetGroupArn: tgArn(i) })),
  fc.uniqueArray(fc.nat(5), { minLength: 2, maxLength: 3 }).chain((ids) =>
    fc.array(fc.integer({ min: 0, max: 999 }), { minLength: ids.length, maxLength: ids.length }).map((weights) => describedAction({ Type: 'forward', ForwardConfig: { TargetGroups: ids.map((i, k) => ({ TargetGroupArn: tgArn(i), Weight: weights[k]! })) } })),
  ),
  fc.record({ code: fc.constantFrom('200', '404', '503'), body: fc.string({ maxLength: 20 }) }).map(({ code, body }) => ({ Type: 'fixed-response', FixedResponseConfig: { StatusCode: code, ContentType: 'text/plain', MessageBody: body } }) as Action),
  fc.constantFrom('HTTPS', '#{protocol}').map((p) => ({ Type: 'redirect', RedirectConfig: { Protocol: p, Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' } }) as Action),
);
const conditionArb: fc.Arbitrary<RuleCondition> = fc.oneof(
  fc.array(fc.constantFrom('/api/*', '/static/*', '/v2/*'), { minLength: 1, maxLength: 3 }).map((v) => describedCondition({ Field: 'path-pattern', PathPatternConfig: { Values: v } })),
  fc.array(fc.constantFrom('shop.example', '*.shop.example'), { minLength: 1, maxLength: 2 }).map((v) => describedCondition({ Field: 'host-header', HostHeaderConfig: { Values: v } })),
  fc.constantFrom('X-Canary', 'User-Agent').map((h) => ({ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: h, Values: ['*yes*'] } })),
  fc.constantFrom('10.0.0.0/8', '192.168.0.0/16').map((c) => ({ Field: 'source-ip', SourceIpConfig: { Values: [c] } })),
);

interface Shape {
  lb: LoadBalancer;
  attributes: { Key: string; Value: string }[];
  tags: { Key: string; Value: string }[];
  listeners: ListenerDescription[];
}

const shapeArb: fc.Arbitrary<Shape> = fc.constantFrom('application', 'network', 'gateway').chain((type) => {
  const protocols = type === 'application' ? ['HTTP', 'HTTPS'] : type === 'network' ? ['TCP', 'TLS', 'UDP'] : ['GENEVE'];
  const listenerArb = fc.record({
    port: fc.integer({ min: 1, max: 65535 }),
    protocol: fc.constantFrom(...protocols),
    certs: fc.uniqueArray(fc.nat(9), { minLength: 1, maxLength: 3 }),
    sslPolicy: fc.constantFrom('ELBSecurityPolicy-TLS13-1-2-2021-06', 'ELBSecurityPolicy-2016-08'),
    alpn: fc.constantFrom<string[]>([], ['HTTP2Preferred']),
    defaultActions: fc.array(actionArb, { minLength: 1, maxLength: 1 }),
    rules: (type === 'application'
      ? fc.uniqueArray(fc.record({ priority: fc.integer({ min: 1, max: 50_000 }), conditions: fc.array(conditionArb, { minLength: 1, maxLength: 3 }), actions: fc.array(actionArb, { minLength: 1, maxLength: 1 }) }), { maxLength: 4, selector: (r) => r.priority })
      : fc.constant([])) as fc.Arbitrary<{ priority: number; conditions: RuleCondition[]; actions: Action[] }[]>,
  });
  return fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/),
    scheme: fc.constantFrom('internet-facing', 'internal'),
    ip: fc.constantFrom('ipv4', 'dualstack'),
    subnets: fc.uniqueArray(fc.nat(20), { minLength: 1, maxLength: 3 }),
    eips: type === 'network' ? fc.boolean() : fc.constant(false),
    sgs: (type === 'gateway' ? fc.constant<number[]>([]) : fc.uniqueArray(fc.nat(9), { maxLength: 3 })) as fc.Arbitrary<number[]>,
    attributes: fc.uniqueArray(fc.record({ Key: fc.constantFrom('idle_timeout.timeout_seconds', 'routing.http2.enabled', 'deletion_protection.enabled', 'load_balancing.cross_zone.enabled', 'access_logs.s3.bucket'), Value: fc.constantFrom('true', 'false', '60', '') }), { selector: (a) => a.Key }),
    tags: fc.uniqueArray(fc.record({ Key: fc.constantFrom('team', 'env', 'aws:cloudformation:stack-name', 'gameday:enabled', 'gameday:drill', 'Name'), Value: fc.string({ maxLength: 12 }) }), { selector: (t) => t.Key }),
    listeners: fc.uniqueArray(listenerArb, { maxLength: 4, selector: (l) => l.port }),
  }).map((g) => {
    const lbArn = `arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/${type === 'application' ? 'app' : type === 'network' ? 'net' : 'gwy'}/${g.name}/abc`;
    const lb: LoadBalancer = {
      LoadBalancerArn: lbArn,
      LoadBalancerName: g.name,
      DNSName: `${g.name}-123.eu-west-1.elb.amazonaws.com`,
      CanonicalHostedZoneId: 'Z32O12XQLNTSW2',
      Type: type as LoadBalancer['Type'],
      Scheme: g.scheme as LoadBalancer['Scheme'],
      IpAddressType: g.ip as LoadBalancer['IpAddressType'],
      VpcId: 'vpc-1',
      State: { Code: 'active' },
      AvailabilityZones: g.subnets.map((s, i) => ({ ZoneName: `eu-west-1${'abc'[i]}`, SubnetId: `subnet-${s}`, ...(g.eips ? { LoadBalancerAddresses: [{ AllocationId: `eipalloc-${s}` }] } : {}) })),
      SecurityGroups: g.sgs.map((s) => `sg-${s}`),
    };
    const listeners: ListenerDescription[] = g.listeners.map((l, li) => {
      const secure = l.protocol === 'HTTPS' || l.protocol === 'TLS';
      const lArn = `arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/${g.name}/abc/${li}`;
      const listener: Listener = { ListenerArn: lArn, LoadBalancerArn: lbArn, Port: l.port, Protocol: l.protocol as Listener['Protocol'], DefaultActions: l.defaultActions, SslPolicy: l.sslPolicy, AlpnPolicy: l.protocol === 'TLS' ? l.alpn : [] };
      if (secure) listener.Certificates = [{ CertificateArn: certArn(l.certs[0]!) }];
      const certificates: Certificate[] = secure ? l.certs.map((c, i) => ({ CertificateArn: certArn(c), IsDefault: i === 0 })) : [];
      const rules: Rule[] = [
        ...l.rules.map((r, ri) => ({ RuleArn: `${lArn}/r${ri}`, Priority: String(r.priority), Conditions: r.conditions, Actions: r.actions, IsDefault: false })),
        { RuleArn: `${lArn}/default`, Priority: 'default', Conditions: [], Actions: l.defaultActions, IsDefault: true },
      ];
      return { listener, certificates, rules };
    });
    return { lb, attributes: g.attributes, tags: g.tags, listeners };
  });
});

/** What describe returns after the creates a revert issues. */
function describeAfterCreate(lbIn: CreateLoadBalancerCommandInput, listenersIn: { input: CreateListenerCommandInput; extra: Certificate[]; rules: CreateRuleCommandInput[] }[], attributes: Shape['attributes']): { lb: LoadBalancer; listeners: ListenerDescription[]; tags: { Key: string; Value: string }[]; attributes: Shape['attributes'] } {
  const lbArn = `arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/x/${lbIn.Name}/new`;
  const mappings: SubnetMapping[] = lbIn.SubnetMappings ?? (lbIn.Subnets ?? []).map((s) => ({ SubnetId: s }));
  const lb: LoadBalancer = {
    LoadBalancerArn: lbArn,
    LoadBalancerName: lbIn.Name,
    DNSName: `${lbIn.Name}-999.eu-west-1.elb.amazonaws.com`,
    CanonicalHostedZoneId: 'Z32O12XQLNTSW2',
    Type: lbIn.Type,
    Scheme: lbIn.Type === 'gateway' ? undefined : lbIn.Scheme,
    IpAddressType: lbIn.IpAddressType,
    VpcId: 'vpc-1',
    State: { Code: 'active' },
    AvailabilityZones: mappings.map((m) => ({ SubnetId: m.SubnetId, ...(m.AllocationId ? { LoadBalancerAddresses: [{ AllocationId: m.AllocationId }] } : {}) })),
    SecurityGroups: lbIn.SecurityGroups ?? [],
  };
  // gateway LBs have no scheme in our model; keep the original's when AWS would echo one
  if (lbIn.Type !== 'gateway' && lbIn.Scheme) lb.Scheme = lbIn.Scheme;
  const listeners = listenersIn.map(({ input, extra, rules }, li) => {
    const lArn = `${lbArn}/l${li}`;
    const listener: Listener = { ListenerArn: lArn, Port: input.Port, Protocol: input.Protocol, DefaultActions: (input.DefaultActions ?? []).map(describedAction), Certificates: input.Certificates, SslPolicy: input.SslPolicy ?? 'ELBSecurityPolicy-2016-08', AlpnPolicy: input.AlpnPolicy ?? [] };
    const certificates = [...(input.Certificates ?? []).map((c) => ({ ...c, IsDefault: true })), ...extra.map((c) => ({ ...c, IsDefault: false }))];
    const described: Rule[] = rules.map((r, ri) => ({ RuleArn: `${lArn}/r${ri}`, Priority: String(r.Priority), Conditions: (r.Conditions ?? []).map(describedCondition), Actions: (r.Actions ?? []).map(describedAction), IsDefault: false }));
    return { listener, certificates, rules: described };
  });
  return { lb, listeners, tags: (lbIn.Tags ?? []).map((t) => ({ Key: t.Key!, Value: t.Value ?? '' })), attributes };
}

const ignoringIds = (s: LbSnapshot) => ({
  ...s,
  arn: undefined,
  dnsName: undefined,
  vpcId: undefined,
  tags: s.tags.filter((t) => !t.Key?.startsWith('aws:') && !RESERVED.includes(t.Key!)),
  listeners: s.listeners.map((l) => ({ ...l, arn: undefined })),
  scheme: s.type === 'gateway' ? undefined : s.scheme,
});

describe('elbv2 snapshot mapping', () => {
  it('round-trips every LB shape: snapshot → create inputs → described again → the same snapshot', () => {
    fc.assert(
      fc.property(shapeArb, (shape) => {
        const snap = snapshotLoadBalancer(shape.lb, shape.attributes, shape.tags, shape.listeners, []);
        expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
        const tags = recreatedTags(snap, 'drill-1', RESERVED);
        const lbIn = createLoadBalancerInput(snap, tags);
        const listenersIn = snap.listeners.map((l) => ({ input: createListenerInput(l, 'arn:new'), extra: additionalCertificates(l), rules: l.rules.map((r) => createRuleInput(r, 'arn:listener')) }));

        // inputs AWS would accept
        expect(lbIn.Name).toBe(shape.lb.LoadBalancerName);
        expect(!!lbIn.Subnets !== !!lbIn.SubnetMappings).toBe(true);
        expect(lbIn.Tags?.some((t) => t.Key?.startsWith('aws:'))).toBe(false);
        expect(lbIn.Tags?.filter((t) => t.Key === 'gameday:recreated-from')).toEqual([{ Key: 'gameday:recreated-from', Value: shape.lb.LoadBalancerArn }]);
        for (const { input, rules } of listenersIn) {
          if (input.Protocol !== 'HTTPS' && input.Protocol !== 'TLS') expect(input.SslPolicy).toBeUndefined();
          for (const a of [...(input.DefaultActions ?? []), ...rules.flatMap((r) => r.Actions ?? [])]) if ((a.ForwardConfig?.TargetGroups?.length ?? 0) > 1) expect(a.TargetGroupArn).toBeUndefined();
          for (const c of rules.flatMap((r) => r.Conditions ?? [])) if (c.PathPatternConfig || c.HostHeaderConfig) expect(c.Values).toBeUndefined();
        }

        const again = describeAfterCreate(lbIn, listenersIn, shape.attributes);
        const snap2 = snapshotLoadBalancer(again.lb, again.attributes, again.tags, again.listeners, []);
        expect(ignoringIds(snap2)).toEqual(ignoringIds(snap));
      }),
      { numRuns: 300 },
    );
  });

  it('finds and re-points alias and CNAME records whatever their case, trailing dot or dualstack prefix', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{2,20}$/), fc.boolean(), fc.boolean(), fc.boolean(), (name, alias, dualstack, dot) => {
        const oldDns = `${name}-111.eu-west-1.elb.amazonaws.com`;
        const newDns = `${name}-222.eu-west-1.elb.amazonaws.com`;
        const written = `${dualstack && alias ? 'dualstack.' : ''}${oldDns.toUpperCase()}${dot ? '.' : ''}`;
        const record = alias ? { Name: 'www.shop.example.', Type: 'A' as const, AliasTarget: { HostedZoneId: 'ZOLD', DNSName: written, EvaluateTargetHealth: true } } : { Name: 'api.shop.example.', Type: 'CNAME' as const, TTL: 60, ResourceRecords: [{ Value: written }] };
        expect(recordPointsAt(record, oldDns)).toBe(true);
        expect(recordPointsAt(record, newDns)).toBe(false);
        const moved = repointRecord(record, newDns, 'ZNEW');
        expect(recordPointsAt(moved, newDns)).toBe(true);
        if (alias) {
          expect(moved.AliasTarget).toEqual({ HostedZoneId: 'ZNEW', DNSName: `${dualstack ? 'dualstack.' : ''}${newDns}${dot ? '.' : ''}`, EvaluateTargetHealth: true });
        } else expect(moved.ResourceRecords).toEqual([{ Value: newDns }]);
      }),
    );
  });
});
