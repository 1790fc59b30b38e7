/** The pure IAM policy builder: grouping, the opt-in condition, the Denies on the opt-in tag, ARN filling. */
import { describe, expect, it } from 'vitest';
import { allowedActions, awsArn, mergeAwsAccess, policySize, renderIamPolicy, route53Arn, type AwsAccess } from '../../../src/core/aws-access.js';

const OPTS = { optInTag: ['gameday:enabled', 'true'] as [string, string] };
const stop: AwsAccess = { actions: ['ec2:StopInstances', 'ec2:StartInstances'], resources: [awsArn('ec2', 'instance/*')], scope: 'opted-in', why: 'stop and start' };
const describeEc2: AwsAccess = { actions: ['ec2:DescribeInstances'], resources: ['*'], scope: 'read', why: 'select' };

describe('mergeAwsAccess', () => {
  it('merges grants of one service, scope and resources; sorts actions; joins reasons once', () => {
    const merged = mergeAwsAccess([stop, { ...stop, actions: ['ec2:TerminateInstances'], why: 'terminate' }, { ...stop, why: 'stop and start' }, describeEc2]);
    expect(merged).toEqual([
      { ...describeEc2 },
      { actions: ['ec2:StartInstances', 'ec2:StopInstances', 'ec2:TerminateInstances'], resources: [awsArn('ec2', 'instance/*')], scope: 'opted-in', why: 'stop and start; terminate' },
    ]);
  });

  it('keeps grants apart when their resources or conditions differ, and splits a grant naming two services', () => {
    const one = { ...stop, resources: [awsArn('ec2', 'instance/i-1')] };
    const cond: AwsAccess = { ...stop, conditions: { Null: { 'aws:RequestTag/x': ['false'] } } };
    expect(mergeAwsAccess([stop, one, cond])).toHaveLength(3);
    const split = mergeAwsAccess([{ actions: ['ec2:DescribeInstances', 'autoscaling:DescribeAutoScalingGroups'], resources: ['*'], scope: 'read', why: 'both' }]);
    expect(split.map((a) => a.actions)).toEqual([['autoscaling:DescribeAutoScalingGroups'], ['ec2:DescribeInstances']]);
  });
});

describe('renderIamPolicy', () => {
  it('holds opted-in grants to the environment’s opt-in tag and leaves read-only ones unconditioned', () => {
    const { document } = renderIamPolicy([stop, describeEc2], { optInTag: ['team:chaos', 'yes'] });
    const [read, optedIn] = document.Statement;
    expect(read).toEqual({ Sid: 'Ec2ReadOnlyNotScopableByTag', Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: ['*'] });
    expect(optedIn).toEqual({
      Sid: 'Ec2OnlyOptedInResources',
      Effect: 'Allow',
      Action: ['ec2:StartInstances', 'ec2:StopInstances'],
      Resource: ['arn:aws:ec2:*:*:instance/*'],
      Condition: { StringEquals: { 'aws:ResourceTag/team:chaos': ['yes'] } },
    });
  });

  it('fills region, account and partition into ARN patterns; Route 53 ARNs have neither region nor account', () => {
    const zone: AwsAccess = { actions: ['route53:ChangeResourceRecordSets'], resources: [route53Arn('hostedzone/Z1')], scope: 'by-arn', why: 'weights' };
    const { document } = renderIamPolicy([stop, zone], { ...OPTS, region: 'eu-west-1', account: '123456789012', partition: 'aws-cn' });
    expect(document.Statement.flatMap((s) => (s.Effect === 'Allow' ? s.Resource : []))).toEqual(['arn:aws-cn:ec2:eu-west-1:123456789012:instance/*', 'arn:aws-cn:route53:::hostedzone/Z1']);
  });

  it('denies adding or changing the opt-in tag on every service a drill can target; Route 53 tagging outright', () => {
    const { document } = renderIamPolicy([describeEc2], OPTS);
    const denies = document.Statement.filter((s) => s.Effect === 'Deny');
    expect(denies.map((d) => d.Action[0])).toEqual(['ec2:CreateTags', 'autoscaling:CreateOrUpdateTags', 'elasticloadbalancing:AddTags', 'rds:AddTagsToResource', 'mq:CreateTags', 'route53:ChangeTagsForResource']);
    for (const d of denies.slice(0, 5)) expect(d).toMatchObject({ Resource: ['*'], Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['gameday:enabled'] } } });
    expect(denies[2]!.Condition).not.toHaveProperty('StringNotEquals');
    expect(denies[5]).not.toHaveProperty('Condition');
    // nothing is allowed that could tag
    expect(allowedActions(document).filter((a) => /Tags|TagResource/.test(a) && !a.includes('Describe') && !a.includes('List'))).toEqual([]);
  });

  it('spares the ELB revert’s own create from the AddTags Deny only when the policy re-creates load balancers', () => {
    const create: AwsAccess = { actions: ['elasticloadbalancing:CreateLoadBalancer'], resources: [awsArn('elasticloadbalancing', 'loadbalancer/*/web/*')], scope: 'create', why: 're-create' };
    const deny = renderIamPolicy([create], OPTS).document.Statement.find((s) => s.Sid === 'DenyOptInTagElb');
    expect(deny?.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['gameday:enabled'] }, StringNotEquals: { 'elasticloadbalancing:CreateAction': ['CreateLoadBalancer'] } });
  });

  it('gives every statement a unique alphanumeric Sid (IAM’s rule) and a note', () => {
    const twin: AwsAccess = { ...stop, resources: [awsArn('ec2', 'instance/i-1')] };
    const { document, notes } = renderIamPolicy([stop, twin, describeEc2], OPTS);
    const sids = document.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    for (const sid of sids) expect(sid).toMatch(/^[A-Za-z0-9]+$/);
    expect(sids).toContain('Ec2OnlyOptedInResources2');
    expect(notes.map((n) => n.sid)).toEqual(sids);
    expect(policySize(document)).toBe(JSON.stringify(document).length);
  });
});
