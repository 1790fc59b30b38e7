import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { DescribeLoadBalancersCommand, DeleteLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { backoffDelay, isThrottling } from '../../../../src/adapters/aws/retry.js';
import { createElbv2Port } from '../../../../src/adapters/aws/elbv2.js';
import { createEc2Port } from '../../../../src/adapters/aws/ec2.js';
import { createRoute53Port } from '../../../../src/adapters/aws/route53.js';
import { awsError, fakeClock, throttled } from '../../../helpers/fake-aws-clock.js';

expect.extend(allCustomMatcher);

const elbMock = mockClient(ElasticLoadBalancingV2Client);
const ec2Mock = mockClient(EC2Client);
const r53Mock = mockClient(Route53Client);
beforeEach(() => {
  elbMock.reset();
  ec2Mock.reset();
  r53Mock.reset();
});
const cfg = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };

describe('throttling is retried with a bounded backoff', () => {
  it('retries ELB Throttling with growing delays, then succeeds', async () => {
    const clock = fakeClock({});
    const port = createElbv2Port(new ElasticLoadBalancingV2Client(cfg), clock.retry());
    elbMock.on(DescribeLoadBalancersCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ LoadBalancers: [{ LoadBalancerName: 'shop-public' }] });
    const lbs = await port.describeLoadBalancers({ names: ['shop-public'] });
    expect(lbs.map((l) => l.LoadBalancerName)).toEqual(['shop-public']);
    expect(elbMock).toHaveReceivedCommandTimes(DescribeLoadBalancersCommand, 4);
    expect(clock.sleeps).toEqual([150, 300, 600]);
  });

  it('gives up after the attempt budget and throws the throttling error', async () => {
    const clock = fakeClock({});
    const port = createEc2Port(new EC2Client(cfg), clock.retry(4));
    ec2Mock.on(DescribeInstancesCommand).rejects(throttled('RequestLimitExceeded'));
    await expect(port.describeInstances({ filters: [] })).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 4);
    expect(clock.sleeps).toEqual([150, 300, 600]);
  });

  it('does not retry other errors, and turns "not found" into an empty answer or false', async () => {
    const clock = fakeClock({});
    const port = createElbv2Port(new ElasticLoadBalancingV2Client(cfg), clock.retry());
    elbMock.on(DescribeLoadBalancersCommand).rejects(awsError('AccessDenied'));
    await expect(port.describeLoadBalancers({ names: ['x'] })).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(elbMock).toHaveReceivedCommandTimes(DescribeLoadBalancersCommand, 1);
    elbMock.on(DescribeLoadBalancersCommand).rejects(awsError('LoadBalancerNotFoundException'));
    expect(await port.describeLoadBalancers({ arns: ['arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/x/1'] })).toEqual([]);
    elbMock.on(DeleteLoadBalancerCommand).rejects(awsError('LoadBalancerNotFoundException'));
    expect(await port.deleteLoadBalancer('arn:x')).toBe(false);
    expect(clock.sleeps).toEqual([]);
  });

  it('Route 53 PriorRequestNotComplete is retried too', async () => {
    const clock = fakeClock({});
    const port = createRoute53Port(new Route53Client(cfg), clock.retry());
    r53Mock.on(ChangeResourceRecordSetsCommand).rejectsOnce(throttled('PriorRequestNotComplete')).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
    expect(await port.upsertRecordSets('/hostedzone/Z1', [{ Name: 'www.shop.example.', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'x' }] }], 'c')).toBe('/change/C1');
    expect(r53Mock).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, { HostedZoneId: 'Z1' });
    expect(clock.sleeps).toEqual([150]);
  });

  it.each([
    [{ name: 'ThrottlingException' }, true],
    [{ name: 'X', $metadata: { httpStatusCode: 429 } }, true],
    [{ name: 'X', $retryable: { throttling: true } }, true],
    [{ name: 'ValidationError' }, false],
    ['Throttling', false],
  ])('isThrottling(%o) = %s', (e, want) => {
    expect(isThrottling(e)).toBe(want);
  });

  it('backoff delays grow, are capped, and keep half their size as a floor', () => {
    const p = { baseMs: 100, capMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, { ...p, random: () => 0 }))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, { ...p, random: () => 0.999999 }))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});
