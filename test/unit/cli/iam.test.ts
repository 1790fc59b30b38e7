/**
 * `gameday iam` on the library's own scenarios (golden-ish: the exact actions, and the shape of the
 * statements that matter for safety), and its one-line errors. In-process: the same command table
 * and exit codes as the binary.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedActions, type IamPolicyDocument, type IamStatement } from '../../../src/core/aws-access.js';
import { FAULT_KINDS, injectors } from '../../../src/injectors/registry.js';
import { gamedayInProcess } from '../../helpers/in-process-cli.js';

const SCENARIOS = resolve('scenarios');
let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'gd-iam-'));
  writeFileSync(join(cwd, 'gameday.yaml'), 'environments:\n  staging:\n    critical: false\n    aws: { region: eu-west-1 }\n    guards: { optInTag: "chaos/ok=yes" }\n');
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

async function iam(...args: string[]) {
  const r = await gamedayInProcess(['iam', '--dir', SCENARIOS, ...args], { cwd });
  return { ...r, doc: r.code === 0 && !args.includes('text') ? (JSON.parse(r.stdout) as IamPolicyDocument) : undefined };
}
const statement = (doc: IamPolicyDocument | undefined, sid: string): IamStatement | undefined => doc?.Statement.find((s) => s.Sid === sid);
const denies = (doc: IamPolicyDocument | undefined) => (doc?.Statement ?? []).filter((s) => s.Effect === 'Deny').map((s) => s.Action[0]);
const ALL_DENIES = ['ec2:CreateTags', 'autoscaling:CreateOrUpdateTags', 'elasticloadbalancing:AddTags', 'rds:AddTagsToResource', 'mq:CreateTags', 'route53:ChangeTagsForResource'];

describe('gameday iam on the library', () => {
  it('node-stopped: describe on "*", stop/start only on instances carrying the environment’s opt-in tag, in its region', async () => {
    const { code, doc, stderr } = await iam('node-stopped', '--env', 'staging', '--account', '123456789012');
    expect(code).toBe(0);
    expect(allowedActions(doc!)).toEqual(['ec2:DescribeInstances', 'ec2:StartInstances', 'ec2:StopInstances']);
    expect(statement(doc, 'Ec2ReadOnlyNotScopableByTag')).toEqual({ Sid: 'Ec2ReadOnlyNotScopableByTag', Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: ['*'] });
    expect(statement(doc, 'Ec2OnlyOptedInResources')).toEqual({
      Sid: 'Ec2OnlyOptedInResources',
      Effect: 'Allow',
      Action: ['ec2:StartInstances', 'ec2:StopInstances'],
      Resource: ['arn:aws:ec2:eu-west-1:123456789012:instance/*'],
      Condition: { StringEquals: { 'aws:ResourceTag/chaos/ok': ['yes'] } },
    });
    expect(denies(doc)).toEqual(ALL_DENIES);
    expect(statement(doc, 'DenyOptInTagEc2')?.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['chaos/ok'] } });
    expect(stderr).toContain('# opt-in tag chaos/ok=yes, region eu-west-1, account 123456789012');
  });

  it('lb-deleted: delete only the opted-in shop-public; re-create it only by name with the mark; its tags only as part of that create', async () => {
    const { code, doc } = await iam('lb-deleted');
    expect(code).toBe(0);
    expect(allowedActions(doc!)).toEqual(
      [
        ...['AddListenerCertificates', 'AddTags', 'CreateListener', 'CreateLoadBalancer', 'CreateRule', 'DeleteLoadBalancer', 'DescribeListenerCertificates', 'DescribeListeners', 'DescribeLoadBalancerAttributes'].map((a) => `elasticloadbalancing:${a}`),
        ...['DescribeLoadBalancers', 'DescribeRules', 'DescribeTags', 'DescribeTargetGroups', 'DescribeTargetHealth', 'ModifyLoadBalancerAttributes'].map((a) => `elasticloadbalancing:${a}`),
        'route53:ChangeResourceRecordSets',
        'route53:ListHostedZones',
        'route53:ListResourceRecordSets',
      ].sort(),
    );
    const lb = 'arn:aws:elasticloadbalancing:*:*:loadbalancer/*/shop-public/*';
    expect(statement(doc, 'ElbOnlyOptedInResources')).toMatchObject({ Action: ['elasticloadbalancing:CreateListener', 'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:ModifyLoadBalancerAttributes'], Resource: [lb], Condition: { StringEquals: { 'aws:ResourceTag/gameday:enabled': ['true'] } } });
    expect(statement(doc, 'ElbRecreateOnlyWithGamedayMark')).toMatchObject({ Action: ['elasticloadbalancing:CreateLoadBalancer'], Resource: [lb], Condition: { Null: { 'aws:RequestTag/gameday:recreated-from': ['false'] } } });
    expect(statement(doc, 'ElbRecreateOnlyWithGamedayMark2')).toMatchObject({ Action: ['elasticloadbalancing:AddTags'], Condition: { StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateLoadBalancer'] } } });
    expect(statement(doc, 'DenyOptInTagElb')?.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['gameday:enabled'] }, StringNotEquals: { 'elasticloadbalancing:CreateAction': ['CreateLoadBalancer'] } });
    expect(statement(doc, 'Route53ByArnNoTagConditionInAws')).toMatchObject({ Resource: ['arn:aws:route53:::hostedzone/*'] });
    expect(statement(doc, 'Route53ByArnNoTagConditionInAws')).not.toHaveProperty('Condition');
  });

  it('weighted-dns-old-stack: Route 53 by zone (named, so any zone id) and only UPSERTs of api.shop.example A; says why', async () => {
    const { code, doc, stderr } = await iam('weighted-dns-old-stack');
    expect(code).toBe(0);
    expect(allowedActions(doc!)).toEqual(['route53:ChangeResourceRecordSets', 'route53:ListHostedZones', 'route53:ListResourceRecordSets', 'route53:ListTagsForResource']);
    const change = doc!.Statement.find((s) => s.Action.includes('route53:ChangeResourceRecordSets'));
    expect(change).toMatchObject({
      Sid: 'Route53ByArnNoTagConditionInAws2',
      Resource: ['arn:aws:route53:::hostedzone/*'],
      Condition: { 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['api.shop.example'], 'route53:ChangeResourceRecordSetsRecordTypes': ['A'], 'route53:ChangeResourceRecordSetsActions': ['UPSERT'] } },
    });
    expect(stderr).toMatch(/Route53ByArnNoTagConditionInAws2: AWS offers no tag condition here.*zone shop\.example by name: put its id in the ARN/);
  });

  it('db-failover: only a cluster failover of the opted-in shop-db; db-unreachable (node fault, rds probe): the probe’s read only', async () => {
    const failover = await iam('db-failover');
    expect(allowedActions(failover.doc!)).toEqual(['rds:DescribeDBClusters', 'rds:DescribeDBInstances', 'rds:FailoverDBCluster']);
    expect(statement(failover.doc, 'RdsOnlyOptedInResources')).toMatchObject({ Resource: ['arn:aws:rds:*:*:cluster:shop-db'], Condition: { StringEquals: { 'aws:ResourceTag/gameday:enabled': ['true'] } } });
    const unreachable = await iam('db-unreachable');
    expect(unreachable.code).toBe(0);
    expect(allowedActions(unreachable.doc!)).toEqual(['rds:DescribeDBClusters']);
  });

  it('no scenario: every action every AWS kind may call for any target, and the AWS probes’ reads', async () => {
    const { code, doc } = await iam();
    expect(code).toBe(0);
    const kinds = FAULT_KINDS.flatMap((k) => injectors[k].awsAccess?.(undefined, undefined) ?? []).flatMap((g) => g.actions);
    expect(allowedActions(doc!)).toEqual([...new Set([...kinds, 'cloudwatch:DescribeAlarms', 'rds:DescribeDBClusters'])].sort());
    expect(denies(doc)).toEqual(ALL_DENIES);
  });

  it('--format text: one block per statement with its conditions and why', async () => {
    const { code, stdout } = await iam('node-stopped', '--format', 'text');
    expect(code).toBe(0);
    expect(stdout).toContain('ALLOW Ec2OnlyOptedInResources\n  actions:   ec2:StartInstances, ec2:StopInstances\n  resources: arn:aws:ec2:*:*:instance/*\n  when:      StringEquals aws:ResourceTag/gameday:enabled = true\n');
    expect(stdout).toContain('DENY DenyOptInTagRoute53\n  actions:   route53:ChangeTagsForResource\n  resources: *\n  why:       route53 has no aws:TagKeys condition');
  });
});

describe('gameday iam errors: one line, exit 2, nothing on stdout', () => {
  it.each([
    [['checkout-pod-kill'], 'error: checkout-pod-kill has no AWS faults, probes or alarms: its drills need no IAM policy\nhint: its Kubernetes access: gameday rbac checkout-pod-kill\n'],
    [['no-such-drill'], /^error: no scenario "no-such-drill" in .*scenarios\/\nhint: known scenarios: /],
    [['missing.yaml'], 'error: scenario file not found: missing.yaml\nhint: give a scenario id (see `gameday list`) or an existing .yaml file\n'],
    [['node-stopped', '--format', 'yaml'], 'error: --format: "yaml" is not json or text\nhint: json (the policy document) or text (a readable summary)\n'],
    [['node-stopped', '--account', '12'], 'error: --account: "12" is not a 12-digit AWS account id\nhint: aws sts get-caller-identity --query Account\n'],
    [['node-stopped', '--env', 'prod'], /^error: unknown environment "prod"/],
  ])('%j', async (args, message) => {
    const r = await iam(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    if (typeof message === 'string') expect(r.stderr).toBe(message);
    else expect(r.stderr).toMatch(message);
  });
});
