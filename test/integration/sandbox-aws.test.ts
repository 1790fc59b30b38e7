/**
 * The sandbox's AWS world on a real moto server, through the @aws-sdk clients. Isolation: this
 * file starts its own moto (helpers/moto.ts) and seeds it with the same code as `sandbox up`, so
 * the failover below never touches the shared sandbox's endpoint; the shared endpoint is only read.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, DescribeTagsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBClustersCommand, FailoverDBClusterCommand } from '@aws-sdk/client-rds';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AwsClients } from '../../src/adapters/aws/clients.js';
import { nodeRefs, seedAws, type AwsWorld } from '../../src/sandbox/seed-aws.js';
import { startMoto, type MotoServer } from '../helpers/sandbox/moto.js';
import { sandbox, sandboxEnvironment } from '../helpers/sandbox/sandbox.js';

let moto: MotoServer;
let world: AwsWorld;

beforeAll(async () => {
  moto = await startMoto();
  world = await seedAws(moto.clients, nodeRefs(3));
});
afterAll(async () => {
  await moto?.stop();
});

const optedIn = (tags: { Key?: string; Value?: string }[] | undefined) => tags?.some((t) => t.Key === 'gameday:enabled' && t.Value === 'true') === true;

describe('sandbox: AWS on a local endpoint', () => {
  test('the ALB shop-public, its HTTP:80 listener, its rule and the target health are visible through the SDK', async () => {
    const elb = await moto.clients.get('elbv2');
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['shop-public'] }))).LoadBalancers?.[0];
    expect(lb?.Scheme).toBe('internet-facing');
    expect(lb?.Type).toBe('application');
    expect(lb?.State?.Code).toBe('active');
    expect(lb?.AvailabilityZones?.map((z) => z.ZoneName).sort()).toEqual(['us-east-1a', 'us-east-1b']);
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [lb!.LoadBalancerArn!] }));
    expect(optedIn(tags.TagDescriptions?.[0]?.Tags)).toBe(true);
    const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb!.LoadBalancerArn! }))).Listeners ?? [];
    expect(listeners.map((l) => [l.Protocol, l.Port])).toEqual([['HTTP', 80]]);
    expect(listeners[0]?.DefaultActions?.[0]?.TargetGroupArn).toBe(world.targetGroupArn);
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listeners[0]!.ListenerArn! }))).Rules ?? [];
    expect(rules.filter((r) => !r.IsDefault).map((r) => r.Priority)).toEqual(['10']);
    const health = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: world.targetGroupArn }))).TargetHealthDescriptions ?? [];
    expect(health.map((h) => h.Target?.Id).sort()).toEqual(Object.values(world.instances).sort());
    for (const h of health) expect(h.TargetHealth?.State).toBeTruthy();
  });

  test('the node instances are tagged, in two AZs, and the Route 53 alias www.shop.example. points at the ALB', async () => {
    const ec2 = await moto.clients.get('ec2');
    const res = await ec2.send(new DescribeInstancesCommand({ InstanceIds: Object.values(world.instances) }));
    const instances = res.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    expect(instances).toHaveLength(3);
    expect(instances.every((i) => optedIn(i.Tags))).toBe(true);
    expect(new Set(instances.map((i) => i.Placement?.AvailabilityZone))).toEqual(new Set(['us-east-1a', 'us-east-1b']));
    const r53 = await moto.clients.get('route53');
    const records = (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: world.hostedZoneId }))).ResourceRecordSets ?? [];
    const www = records.find((r) => r.Name === 'www.shop.example.' && r.Type === 'A');
    expect(www?.AliasTarget?.DNSName?.replace(/\.$/, '')).toBe(world.loadBalancerDns);
  });

  test('FailoverDBCluster swaps the writer of shop-db', async () => {
    const rds = await moto.clients.get('rds');
    const writer = async () => {
      const c = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'shop-db' }))).DBClusters?.[0];
      expect(c?.Engine).toBe('aurora-postgresql');
      expect(optedIn(c?.TagList)).toBe(true);
      expect(c?.DBClusterMembers).toHaveLength(2);
      return c?.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
    };
    const before = await writer();
    expect(before).toBe('shop-db-1');
    await rds.send(new FailoverDBClusterCommand({ DBClusterIdentifier: 'shop-db', TargetDBInstanceIdentifier: 'shop-db-2' }));
    expect(await writer()).toBe('shop-db-2');
  });

  test('the running sandbox registered its own endpoint, seeded with the same world (read only)', async () => {
    const env = sandboxEnvironment();
    expect(env.aws?.endpoint).toBe(sandbox().aws.endpoint);
    const shared = AwsClients.forEnvironment(env);
    try {
      const rds = await shared.get('rds');
      const c = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'shop-db' }))).DBClusters?.[0];
      expect(c?.DBClusterMembers?.length).toBe(2);
      const r53 = await shared.get('route53');
      const zone = env.aws?.hostedZones?.[0];
      expect(zone).toBeTruthy();
      const records = (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone! }))).ResourceRecordSets ?? [];
      expect(records.some((r) => r.Name === 'www.shop.example.')).toBe(true);
    } finally {
      await shared.destroy();
    }
  });
});
