/**
 * Timing and error paths of the ELB re-create that moto cannot produce (its LBs are active at once
 * and keep their DNS name): provisioning → active with progress and backoff, a new DNS name that
 * Route 53 must be re-pointed to, throttling in the middle of a revert, a failed or stuck LB.
 * Real adapters over SDK clients mocked with aws-sdk-client-mock; a clock that moves only on sleep.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import 'aws-sdk-client-mock-vitest/extend';
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import * as R53 from '@aws-sdk/client-route-53';
import { createElbv2Port } from '../../../../src/adapters/aws/elbv2.js';
import { createRoute53Port } from '../../../../src/adapters/aws/route53.js';
import { awsElbv2Delete } from '../../../../src/injectors/aws-elbv2-delete/index.js';
import { snapshotLoadBalancer, type LbSnapshot } from '../../../../src/injectors/aws-elbv2-delete/snapshot.js';
import { awsError, fakeClock, throttled } from '../../../helpers/fake-aws-clock.js';

expect.extend(allCustomMatcher);
const elbMock = mockClient(ELB.ElasticLoadBalancingV2Client);
const r53Mock = mockClient(R53.Route53Client);
const cfg = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };

const OLD = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-public/0ld';
const NEW = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-public/n3w';
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-web/1';
const OLD_DNS = 'shop-public-111.eu-west-1.elb.amazonaws.com';
const NEW_DNS = 'shop-public-222.eu-west-1.elb.amazonaws.com';

const snapshot: LbSnapshot = snapshotLoadBalancer(
  { LoadBalancerArn: OLD, LoadBalancerName: 'shop-public', DNSName: OLD_DNS, CanonicalHostedZoneId: 'Z32O12XQLNTSW2', Type: 'application', Scheme: 'internet-facing', IpAddressType: 'ipv4', AvailabilityZones: [{ SubnetId: 'subnet-a' }, { SubnetId: 'subnet-b' }], SecurityGroups: ['sg-1'] },
  [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }],
  [{ Key: 'gameday:enabled', Value: 'true' }],
  [
    {
      listener: { ListenerArn: `${OLD}/l1`, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: TG }] },
      certificates: [],
      rules: [
        { Priority: '10', IsDefault: false, Conditions: [{ Field: 'path-pattern', Values: ['/api/*'], PathPatternConfig: { Values: ['/api/*'] } }], Actions: [{ Type: 'forward', TargetGroupArn: TG }] },
        { Priority: 'default', IsDefault: true, Conditions: [], Actions: [{ Type: 'forward', TargetGroupArn: TG }] },
      ],
    },
  ],
  [
    { zoneId: 'ZSHOP', zoneName: 'shop.example.', record: { Name: 'www.shop.example.', Type: 'A', AliasTarget: { HostedZoneId: 'Z32O12XQLNTSW2', DNSName: `dualstack.${OLD_DNS}.`, EvaluateTargetHealth: true } } },
    { zoneId: 'ZSHOP', zoneName: 'shop.example.', record: { Name: 'api.shop.example.', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: OLD_DNS }] } },
  ],
);
const undo = () => JSON.parse(JSON.stringify({ snapshot })) as { snapshot: LbSnapshot };
const ref = { faultId: 'f1', drillId: 'drill-9', attached: false };
const lb = (code: ELB.LoadBalancerStateEnum, reason?: string): ELB.LoadBalancer => ({ LoadBalancerArn: NEW, LoadBalancerName: 'shop-public', DNSName: NEW_DNS, CanonicalHostedZoneId: 'ZNEWZONE', State: { Code: code, ...(reason ? { Reason: reason } : {}) } });

function world() {
  const clock = fakeClock({});
  const ports = { elbv2: createElbv2Port(new ELB.ElasticLoadBalancingV2Client(cfg), clock.retry()), route53: createRoute53Port(new R53.Route53Client(cfg), clock.retry()) };
  (clock.ctx as { ports: unknown }).ports = ports;
  return clock;
}

beforeEach(() => {
  elbMock.reset();
  r53Mock.reset();
  elbMock.on(ELB.DescribeLoadBalancersCommand, { LoadBalancerArns: [OLD] }).rejects(awsError('LoadBalancerNotFoundException'));
  elbMock.on(ELB.DescribeLoadBalancersCommand, { Names: ['shop-public'] }).rejects(awsError('LoadBalancerNotFoundException'));
  elbMock.on(ELB.DescribeTargetGroupsCommand).callsFake((input: ELB.DescribeTargetGroupsCommandInput) => ({ TargetGroups: (input.TargetGroupArns ?? []).map((a) => ({ TargetGroupArn: a })) }));
  elbMock.on(ELB.CreateLoadBalancerCommand).resolves({ LoadBalancers: [lb('provisioning')] });
  elbMock.on(ELB.DescribeLoadBalancerAttributesCommand).resolves({ Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '60' }] });
  elbMock.on(ELB.ModifyLoadBalancerAttributesCommand).resolves({});
  elbMock.on(ELB.DescribeListenersCommand).resolves({ Listeners: [] });
  elbMock.on(ELB.CreateListenerCommand).resolves({ Listeners: [{ ListenerArn: `${NEW}/l1`, Port: 80, Protocol: 'HTTP' }] });
  elbMock.on(ELB.DescribeRulesCommand).resolves({ Rules: [] });
  elbMock.on(ELB.CreateRuleCommand).resolves({ Rules: [{ RuleArn: `${NEW}/r1`, Priority: '10' }] });
  elbMock.on(ELB.DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ TargetHealth: { State: 'initial' } }, { TargetHealth: { State: 'healthy' } }] });
  r53Mock.on(R53.ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: snapshot.records.map((r) => r.record), IsTruncated: false });
  r53Mock.on(R53.ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
});

describe('aws.elbv2-delete revert: what moto cannot model', () => {
  it('waits through provisioning with progress and backoff, then re-points Route 53 to the NEW DNS name and says so', async () => {
    elbMock.on(ELB.DescribeLoadBalancersCommand, { LoadBalancerArns: [NEW] }).resolvesOnce({ LoadBalancers: [lb('provisioning')] }).resolvesOnce({ LoadBalancers: [lb('provisioning')] }).resolvesOnce({ LoadBalancers: [lb('provisioning')] }).resolves({ LoadBalancers: [lb('active')] });
    const clock = world();
    const out = await awsElbv2Delete.revert(clock.ctx as never, undo(), ref);

    expect(out.outcome).toBe('reverted');
    expect(out.detail).toMatchObject({ oldArn: OLD, oldDnsName: OLD_DNS, newArn: NEW, newDnsName: NEW_DNS, created: true, listenersCreated: 1, rulesCreated: 1, activeAfterMs: 2000 + 3200 + 5120 });
    expect(out.detail?.targetHealth).toEqual({ 'shop-web': { initial: 1, healthy: 1 } });
    expect(clock.sleeps).toEqual([2000, 3200, 5120]);
    expect(clock.progress.filter((p) => p.startsWith('waiting for shop-public to be active: provisioning'))).toHaveLength(3);
    expect(clock.progress).toContain(`shop-public re-created: new ARN ${NEW}, new DNS name ${NEW_DNS} (was ${OLD_DNS})`);

    expect(elbMock).toHaveReceivedCommandWith(ELB.CreateLoadBalancerCommand, {
      Name: 'shop-public',
      Subnets: ['subnet-a', 'subnet-b'],
      SecurityGroups: ['sg-1'],
      Tags: [
        { Key: 'gameday:enabled', Value: 'true' },
        { Key: 'gameday:drill', Value: 'drill-9' },
        { Key: 'gameday:recreated-from', Value: OLD },
      ],
    });
    expect(elbMock).toHaveReceivedCommandWith(ELB.ModifyLoadBalancerAttributesCommand, { LoadBalancerArn: NEW, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }] });
    expect(elbMock).toHaveReceivedCommandWith(ELB.CreateRuleCommand, { ListenerArn: `${NEW}/l1`, Priority: 10, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }] });
    expect(r53Mock).toHaveReceivedCommandTimes(R53.ChangeResourceRecordSetsCommand, 1);
    const change = r53Mock.commandCalls(R53.ChangeResourceRecordSetsCommand)[0]!.args[0].input;
    expect(change.HostedZoneId).toBe('ZSHOP');
    expect(change.ChangeBatch?.Changes?.map((c) => [c.Action, c.ResourceRecordSet?.Name, c.ResourceRecordSet?.AliasTarget?.DNSName ?? c.ResourceRecordSet?.ResourceRecords?.[0]?.Value, c.ResourceRecordSet?.AliasTarget?.HostedZoneId])).toEqual([
      ['UPSERT', 'www.shop.example.', `dualstack.${NEW_DNS}.`, 'ZNEWZONE'],
      ['UPSERT', 'api.shop.example.', NEW_DNS, undefined],
    ]);
    expect(out.detail?.recordsRepointed).toEqual(['www.shop.example. A', 'api.shop.example. CNAME']);
  });

  it('retries throttling in the middle of the revert with backoff and finishes the job', async () => {
    elbMock.on(ELB.DescribeLoadBalancersCommand, { LoadBalancerArns: [NEW] }).resolves({ LoadBalancers: [lb('active')] });
    elbMock.on(ELB.CreateListenerCommand).rejectsOnce(throttled()).rejectsOnce(throttled('ThrottlingException')).resolves({ Listeners: [{ ListenerArn: `${NEW}/l1`, Port: 80, Protocol: 'HTTP' }] });
    r53Mock.on(R53.ChangeResourceRecordSetsCommand).rejectsOnce(throttled('Throttling')).resolves({ ChangeInfo: { Id: '/change/C2', Status: 'PENDING', SubmittedAt: new Date() } });
    const clock = world();
    const out = await awsElbv2Delete.revert(clock.ctx as never, undo(), ref);
    expect(out.outcome).toBe('reverted');
    expect(elbMock).toHaveReceivedCommandTimes(ELB.CreateListenerCommand, 3);
    expect(elbMock).toHaveReceivedCommandTimes(ELB.CreateLoadBalancerCommand, 1);
    expect(r53Mock).toHaveReceivedCommandTimes(R53.ChangeResourceRecordSetsCommand, 2);
    expect(clock.sleeps).toEqual([150, 300, 150]);
  });

  it('two reverts racing (deadline keeper and halt): the loser adopts the winner’s LB, listener and rules instead of failing', async () => {
    elbMock.on(ELB.DescribeLoadBalancersCommand, { Names: ['shop-public'] }).rejectsOnce(awsError('LoadBalancerNotFoundException')).resolves({ LoadBalancers: [lb('active')] });
    elbMock.on(ELB.DescribeLoadBalancersCommand, { LoadBalancerArns: [NEW] }).resolves({ LoadBalancers: [lb('active')] });
    elbMock.on(ELB.DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: NEW, Tags: [{ Key: 'gameday:recreated-from', Value: OLD }] }] });
    elbMock.on(ELB.CreateLoadBalancerCommand).rejects(awsError('DuplicateLoadBalancerNameException'));
    elbMock.on(ELB.DescribeListenersCommand).resolvesOnce({ Listeners: [] }).resolves({ Listeners: [{ ListenerArn: `${NEW}/l1`, Port: 80, Protocol: 'HTTP' }] });
    elbMock.on(ELB.CreateListenerCommand).rejects(awsError('DuplicateListener'));
    elbMock.on(ELB.CreateRuleCommand).rejects(awsError('PriorityInUseException'));
    const clock = world();
    const out = await awsElbv2Delete.revert(clock.ctx as never, undo(), ref);
    expect(out.detail).toMatchObject({ newArn: NEW, listenersCreated: 0, rulesCreated: 0 });
    expect(out.detail?.created).toBeUndefined();
    expect(elbMock).toHaveReceivedCommandTimes(ELB.CreateLoadBalancerCommand, 1);
  });

  it('a same-name LB that is not ours makes the create failure stand', async () => {
    elbMock.on(ELB.DescribeLoadBalancersCommand, { Names: ['shop-public'] }).rejectsOnce(awsError('LoadBalancerNotFoundException')).resolves({ LoadBalancers: [lb('active')] });
    elbMock.on(ELB.DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: NEW, Tags: [{ Key: 'team', Value: 'someone-else' }] }] });
    elbMock.on(ELB.CreateLoadBalancerCommand).rejects(awsError('DuplicateLoadBalancerNameException'));
    const clock = world();
    await expect(awsElbv2Delete.revert(clock.ctx as never, undo(), ref)).rejects.toMatchObject({ name: 'DuplicateLoadBalancerNameException' });
    expect(elbMock).toHaveReceivedCommandTimes(ELB.CreateListenerCommand, 0);
  });

  it('a re-created LB that fails to provision is a revert failure with the reason', async () => {
    elbMock.on(ELB.DescribeLoadBalancersCommand, { LoadBalancerArns: [NEW] }).resolvesOnce({ LoadBalancers: [lb('provisioning')] }).resolves({ LoadBalancers: [lb('failed', 'subnet-b does not exist')] });
    const clock = world();
    await expect(awsElbv2Delete.revert(clock.ctx as never, undo(), ref)).rejects.toMatchObject({ code: 'REVERT_FAILED', message: 're-created shop-public failed to provision: subnet-b does not exist' });
    expect(elbMock).toHaveReceivedCommandTimes(ELB.CreateListenerCommand, 0);
  });

  it('an LB stuck in provisioning gives up after the bounded wait (10 min, polls capped at 15 s) and says the revert resumes', async () => {
    elbMock.on(ELB.DescribeLoadBalancersCommand, { LoadBalancerArns: [NEW] }).resolves({ LoadBalancers: [lb('provisioning')] });
    const clock = world();
    const err = await awsElbv2Delete.revert(clock.ctx as never, undo(), ref).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'REVERT_FAILED', message: 'shop-public is not active after 600 s' });
    expect((err as { hint: string }).hint).toMatch(/resumes where it stopped/);
    expect(Math.max(...clock.sleeps)).toBe(15_000);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(600_000);
  });

  it('refuses to re-create when a target group it forwarded to is gone, creating nothing', async () => {
    elbMock.on(ELB.DescribeTargetGroupsCommand).rejects(awsError('TargetGroupNotFoundException'));
    const clock = world();
    await expect(awsElbv2Delete.revert(clock.ctx as never, undo(), ref)).rejects.toMatchObject({ code: 'REVERT_FAILED', message: `cannot re-create shop-public: target group(s) gone: ${TG}` });
    expect(elbMock).toHaveReceivedCommandTimes(ELB.CreateLoadBalancerCommand, 0);
  });
});
