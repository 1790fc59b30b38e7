/**
 * The sandbox's AWS world, created on the local endpoint (moto) through the same SDK clients the
 * injectors use: a VPC with subnets in two AZs, one EC2 instance per kwok node, an internet-facing
 * ALB `shop-public` (HTTP:80 listener, one rule, target group `shop-web` with the instances
 * registered), an Aurora-style cluster `shop-db` (writer + reader), and the hosted zone
 * `shop.example.` with `www.shop.example.` aliased to the ALB, and the old stack behind a weighted
 * `api.shop.example.` (seed-old-stack.ts). Everything is tagged opt-in.
 * Create-if-absent: running it twice changes nothing.
 */
import type { Tag as Ec2Tag } from '@aws-sdk/client-ec2';
import { AwsClients } from '../adapters/aws/clients.js';
import { SHOP_NODE_PORT } from './real-node/layout.js';
import { seedOldStack } from './seed-old-stack.js';

export const SANDBOX_REGION = 'us-east-1';
export const ZONES = ['us-east-1a', 'us-east-1b'] as const;
export const OPT_IN_TAG = { Key: 'gameday:enabled', Value: 'true' } as const;
export const HOSTED_ZONE = 'shop.example.';
export const WWW_RECORD = 'www.shop.example.';
export const ALB_NAME = 'shop-public';
export const TARGET_GROUP_NAME = 'shop-web';
export const DB_CLUSTER = 'shop-db';
/** an AMI id for the simulated nodes (the local endpoint does not validate AMIs) */
export const NODE_AMI = 'ami-0a1b2c3d4e5f60718';

export interface NodeRef {
  name: string;
  zone: string;
  /** the instance's private IP, when it must be a given one (a test's own endpoint mirroring the sandbox's nodes) */
  ip?: string;
}

export interface AwsWorld {
  region: string;
  vpcId: string;
  subnetIds: string[];
  /** node name -> instance id */
  instances: Record<string, string>;
  /** node name -> the instance's private IP (the node's InternalIP) */
  privateIps: Record<string, string>;
  loadBalancerArn: string;
  loadBalancerDns: string;
  listenerArn: string;
  ruleArn: string;
  targetGroupArn: string;
  dbCluster: string;
  dbInstances: string[];
  hostedZoneId: string;
}

const tags = (extra: Record<string, string> = {}) => [OPT_IN_TAG, { Key: 'gameday:sandbox', Value: 'true' }, ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value }))];

export function localAwsClients(endpoint: string, region = SANDBOX_REGION): AwsClients {
  // the SDK's "Node 22 will be required from 2027" notice is noise in the sandbox's output
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new AwsClients({ region, endpoint, credentials: { accessKeyId: 'gameday', secretAccessKey: 'gameday' }, maxAttempts: 3 });
}

/** Node i (0-based) sits in zone i mod 2. */
export const nodeRefs = (n: number, prefix = 'sandbox-node'): NodeRef[] => Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i + 1}`, zone: ZONES[i % ZONES.length] as string }));

export async function seedAws(clients: AwsClients, nodes: NodeRef[]): Promise<AwsWorld> {
  const ec2m = await import('@aws-sdk/client-ec2');
  const elbm = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const rdsm = await import('@aws-sdk/client-rds');
  const r53m = await import('@aws-sdk/client-route-53');
  const [ec2, elb, rds, r53] = await Promise.all([clients.get('ec2'), clients.get('elbv2'), clients.get('rds'), clients.get('route53')]);
  const ec2Tags = (extra: Record<string, string>): Ec2Tag[] => tags(extra);

  // VPC and subnets
  const vpcs = await ec2.send(new ec2m.DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['gameday-sandbox'] }] }));
  let vpcId = vpcs.Vpcs?.[0]?.VpcId;
  if (!vpcId) {
    const v = await ec2.send(new ec2m.CreateVpcCommand({ CidrBlock: '10.20.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: ec2Tags({ Name: 'gameday-sandbox' }) }] }));
    vpcId = v.Vpc?.VpcId;
    if (!vpcId) throw new Error('CreateVpc returned no id');
  }
  const subnetIds: string[] = [];
  for (const [i, zone] of ZONES.entries()) {
    const name = `gameday-sandbox-${zone}`;
    const found = await ec2.send(new ec2m.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'tag:Name', Values: [name] }] }));
    let id = found.Subnets?.[0]?.SubnetId;
    if (!id) {
      const s = await ec2.send(
        new ec2m.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.20.${i + 1}.0/24`, AvailabilityZone: zone, TagSpecifications: [{ ResourceType: 'subnet', Tags: ec2Tags({ Name: name }) }] }),
      );
      id = s.Subnet?.SubnetId;
      if (!id) throw new Error('CreateSubnet returned no id');
    }
    subnetIds.push(id);
  }

  // one instance per node
  const instances: Record<string, string> = {};
  const privateIps: Record<string, string> = {};
  for (const node of nodes) {
    const found = await ec2.send(
      new ec2m.DescribeInstancesCommand({ Filters: [{ Name: 'tag:gameday.dev/node', Values: [node.name] }, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }] }),
    );
    const existing = found.Reservations?.flatMap((r) => r.Instances ?? [])[0];
    let id = existing?.InstanceId;
    let ip = existing?.PrivateIpAddress;
    if (!id) {
      const subnet = subnetIds[Math.max(0, ZONES.indexOf(node.zone as (typeof ZONES)[number]))];
      const r = await ec2.send(
        new ec2m.RunInstancesCommand({
          ImageId: NODE_AMI,
          InstanceType: 'm5.large',
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnet,
          ...(node.ip ? { PrivateIpAddress: node.ip } : {}),
          TagSpecifications: [{ ResourceType: 'instance', Tags: ec2Tags({ Name: node.name, 'gameday.dev/node': node.name, 'kubernetes.io/cluster/gameday-sandbox': 'owned' }) }],
        }),
      );
      id = r.Instances?.[0]?.InstanceId;
      ip = r.Instances?.[0]?.PrivateIpAddress;
      if (!id) throw new Error('RunInstances returned no id');
    }
    instances[node.name] = id;
    if (ip) privateIps[node.name] = ip;
  }

  // target group, ALB, listener, rule
  const tgArn = await (async () => {
    try {
      const tg = await elb.send(new elbm.DescribeTargetGroupsCommand({ Names: [TARGET_GROUP_NAME] }));
      const arn = tg.TargetGroups?.[0]?.TargetGroupArn;
      if (arn) return arn;
    } catch (e) {
      if ((e as Error).name !== 'TargetGroupNotFoundException') throw e;
    }
    const created = await elb.send(
      new elbm.CreateTargetGroupCommand({ Name: TARGET_GROUP_NAME, Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'instance', HealthCheckPath: '/healthz', Tags: tags({ app: 'shop' }) }),
    );
    const arn = created.TargetGroups?.[0]?.TargetGroupArn;
    if (!arn) throw new Error('CreateTargetGroup returned no ARN');
    return arn;
  })();
  // instance targets on the Service's NodePort, as the AWS Load Balancer Controller registers them
  // (instance mode): the front door (src/sandbox/edge) sends to <private IP>:<port>
  await elb.send(new elbm.RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: Object.values(instances).map((Id) => ({ Id, Port: SHOP_NODE_PORT })) }));

  let lb = await (async () => {
    try {
      return (await elb.send(new elbm.DescribeLoadBalancersCommand({ Names: [ALB_NAME] }))).LoadBalancers?.[0];
    } catch (e) {
      if ((e as Error).name !== 'LoadBalancerNotFoundException') throw e;
      return undefined;
    }
  })();
  if (!lb) {
    lb = (await elb.send(new elbm.CreateLoadBalancerCommand({ Name: ALB_NAME, Type: 'application', Scheme: 'internet-facing', IpAddressType: 'ipv4', Subnets: subnetIds, Tags: tags({ app: 'shop' }) })))
      .LoadBalancers?.[0];
  }
  const lbArn = lb?.LoadBalancerArn;
  const lbDns = lb?.DNSName;
  const lbZone = lb?.CanonicalHostedZoneId;
  if (!lbArn || !lbDns) throw new Error('CreateLoadBalancer returned no ARN or DNS name');

  const listeners = await elb.send(new elbm.DescribeListenersCommand({ LoadBalancerArn: lbArn }));
  let listenerArn = listeners.Listeners?.find((l) => l.Port === 80)?.ListenerArn;
  if (!listenerArn) {
    listenerArn = (
      await elb.send(new elbm.CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }], Tags: tags() }))
    ).Listeners?.[0]?.ListenerArn;
    if (!listenerArn) throw new Error('CreateListener returned no ARN');
  }
  const rules = await elb.send(new elbm.DescribeRulesCommand({ ListenerArn: listenerArn }));
  let ruleArn = rules.Rules?.find((r) => !r.IsDefault)?.RuleArn;
  if (!ruleArn) {
    ruleArn = (
      await elb.send(
        new elbm.CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: 10,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/checkout/*'] } }],
          Actions: [{ Type: 'forward', TargetGroupArn: tgArn }],
          Tags: tags(),
        }),
      )
    ).Rules?.[0]?.RuleArn;
    if (!ruleArn) throw new Error('CreateRule returned no ARN');
  }

  // Aurora-style cluster: a writer and a reader
  const dbInstances = [`${DB_CLUSTER}-1`, `${DB_CLUSTER}-2`];
  const hasCluster = await rds.send(new rdsm.DescribeDBClustersCommand({ DBClusterIdentifier: DB_CLUSTER })).then(
    () => true,
    (e: Error) => {
      if (e.name === 'DBClusterNotFoundFault') return false;
      throw e;
    },
  );
  if (!hasCluster) {
    await rds.send(
      new rdsm.CreateDBClusterCommand({
        DBClusterIdentifier: DB_CLUSTER,
        Engine: 'aurora-postgresql',
        EngineVersion: '16.4',
        MasterUsername: 'shop',
        MasterUserPassword: 'sandbox-only-password',
        DatabaseName: 'shop',
        AvailabilityZones: [...ZONES],
        Tags: tags({ app: 'shop' }),
      }),
    );
  }
  for (const [i, id] of dbInstances.entries()) {
    const exists = await rds.send(new rdsm.DescribeDBInstancesCommand({ DBInstanceIdentifier: id })).then(
      () => true,
      (e: Error) => {
        if (e.name === 'DBInstanceNotFoundFault') return false;
        throw e;
      },
    );
    if (!exists) {
      await rds.send(
        new rdsm.CreateDBInstanceCommand({
          DBInstanceIdentifier: id,
          DBClusterIdentifier: DB_CLUSTER,
          Engine: 'aurora-postgresql',
          DBInstanceClass: 'db.r6g.large',
          AvailabilityZone: ZONES[i % ZONES.length],
          Tags: tags({ app: 'shop' }),
        }),
      );
    }
  }

  // Route 53: zone and alias
  const zones = await r53.send(new r53m.ListHostedZonesByNameCommand({ DNSName: HOSTED_ZONE }));
  let zoneId = zones.HostedZones?.find((z) => z.Name === HOSTED_ZONE)?.Id;
  if (!zoneId) {
    zoneId = (await r53.send(new r53m.CreateHostedZoneCommand({ Name: HOSTED_ZONE, CallerReference: `gameday-sandbox-${Date.now()}`, HostedZoneConfig: { Comment: 'gameday sandbox', PrivateZone: false } })))
      .HostedZone?.Id;
    if (!zoneId) throw new Error('CreateHostedZone returned no id');
    const bare = zoneId.replace(/^\/hostedzone\//, '');
    await r53.send(new r53m.ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: bare, AddTags: tags() }));
  }
  const hostedZoneId = zoneId.replace(/^\/hostedzone\//, '');
  const records = await r53.send(new r53m.ListResourceRecordSetsCommand({ HostedZoneId: hostedZoneId }));
  if (!records.ResourceRecordSets?.some((r) => r.Name === WWW_RECORD && r.Type === 'A')) {
    await r53.send(
      new r53m.ChangeResourceRecordSetsCommand({
        HostedZoneId: hostedZoneId,
        ChangeBatch: {
          Comment: 'gameday sandbox: www -> shop-public',
          Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: WWW_RECORD, Type: 'A', AliasTarget: { HostedZoneId: lbZone ?? 'Z35SXDOTRQ7X7K', DNSName: lbDns, EvaluateTargetHealth: true } } }],
        },
      }),
    );
  }

  // the old stack and the weighted api.shop.example (weighted-dns-old-stack)
  await seedOldStack(clients, { subnetIds, hostedZoneId, newStack: { dnsName: lbDns, canonicalZoneId: lbZone }, tags: tags() });

  return {
    region: clients.config.region,
    vpcId,
    subnetIds,
    instances,
    privateIps,
    loadBalancerArn: lbArn,
    loadBalancerDns: lbDns,
    listenerArn,
    ruleArn,
    targetGroupArn: tgArn,
    dbCluster: DB_CLUSTER,
    dbInstances,
    hostedZoneId,
  };
}
