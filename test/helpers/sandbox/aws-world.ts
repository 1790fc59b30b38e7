/**
 * A private AWS world for the AWS injector tests: each test file starts its own moto server on a
 * free port (helpers/moto.ts), builds the real ports against it (real HTTP, real SDK), and seeds
 * only what it needs with the small helpers below. Nothing is shared with other files or with the
 * sandbox's endpoint, so resets and deletes here cannot disturb anyone.
 */
import * as EC2 from '@aws-sdk/client-ec2';
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import * as R53 from '@aws-sdk/client-route-53';
import * as RDS from '@aws-sdk/client-rds';
import * as ASG from '@aws-sdk/client-auto-scaling';
import { createAwsPorts } from '../../../src/adapters/aws/index.js';
import { AwsClients } from '../../../src/adapters/aws/clients.js';
import type { Environment } from '../../../src/core/environment.js';
import type { InjectorContext } from '../../../src/injectors/contract.js';
import type { AwsPorts } from '../../../src/ports/aws.js';
import { contextWith } from '../contract-suite.js';
import { startMoto, type MotoServer } from './moto.js';

export const REGION = 'eu-west-1';
export const OPT_IN = { Key: 'gameday:enabled', Value: 'true' };

export interface AwsWorld {
  moto: MotoServer;
  endpoint: string;
  env: Environment;
  ports: AwsPorts;
  ctx: InjectorContext;
  /** raw SDK clients, for seeding and for checking behind the injector's back */
  clients: AwsClients;
  /** ports and context as a fresh process would build them (after a crash) */
  fresh(): Promise<{ ctx: InjectorContext; close(): Promise<void> }>;
  stop(): Promise<void>;
}

export function worldEnv(endpoint: string, hostedZones?: string[]): Environment {
  return {
    name: 'aws-test',
    critical: false,
    aws: { region: REGION, endpoint, ...(hostedZones ? { hostedZones } : {}) },
    guards: { optInLabel: 'gameday.dev/enabled=true', optInTag: 'gameday:enabled=true', protectedNamespaces: [], maxTargets: 10, maxPercent: 50, windows: [] },
    defaultDuration: 600_000,
    maxDuration: 3_600_000,
  };
}

const ALL: (keyof AwsPorts)[] = ['elbv2', 'route53', 'rds', 'ec2', 'autoscaling', 'mq'];

async function portsFor(env: Environment): Promise<{ ctx: InjectorContext; clients: AwsClients; ports: AwsPorts }> {
  const clients = AwsClients.forEnvironment(env);
  const ports = (await createAwsPorts(env, ALL, clients)) as AwsPorts;
  const ctx = contextWith(ports as unknown as Record<string, unknown>, env);
  return { ctx, clients, ports };
}

export async function startWorld(opts: { hostedZones?: string[] } = {}): Promise<AwsWorld> {
  const moto = await startMoto({ region: REGION });
  const env = worldEnv(moto.endpoint, opts.hostedZones);
  const { ctx, clients, ports } = await portsFor(env);
  return {
    moto,
    endpoint: moto.endpoint,
    env,
    ports,
    ctx,
    clients,
    async fresh() {
      const f = await portsFor(env);
      return { ctx: f.ctx, close: () => f.clients.destroy() };
    },
    async stop() {
      await clients.destroy();
      await moto.stop();
    },
  };
}

/** Any AMI moto knows (listing them all is slow in moto: once per world). */
const images = new WeakMap<AwsWorld, Promise<string>>();
function anImage(world: AwsWorld): Promise<string> {
  let p = images.get(world);
  if (!p) {
    p = world.clients.get('ec2').then(async (ec2) => (await ec2.send(new EC2.DescribeImagesCommand({ Owners: ['amazon'] }))).Images![0]!.ImageId!);
    images.set(world, p);
  }
  return p;
}

// ---- network ------------------------------------------------------------------------------

export interface Net {
  vpcId: string;
  subnets: string[];
  securityGroup: string;
}
export async function seedNetwork(clients: AwsClients): Promise<Net> {
  const ec2 = await clients.get('ec2');
  const vpcId = (await ec2.send(new EC2.CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  const subnets: string[] = [];
  for (const [i, az] of ['a', 'b'].entries()) {
    subnets.push((await ec2.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.20.${i + 1}.0/24`, AvailabilityZone: `${REGION}${az}` }))).Subnet!.SubnetId!);
  }
  const securityGroup = (await ec2.send(new EC2.CreateSecurityGroupCommand({ GroupName: `web-${Date.now()}`, Description: 'web', VpcId: vpcId }))).GroupId!;
  return { vpcId, subnets, securityGroup };
}

/** An IAM server certificate (moto checks that listener certificates exist). */
export async function uploadServerCertificate(endpoint: string, name: string): Promise<string> {
  // a throwaway self-signed pair; moto does not check the key against the body beyond parsing
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'gd-cert-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30', '-subj', `/CN=${name}.shop.example`], { stdio: 'ignore' });
  const body = new URLSearchParams({
    Action: 'UploadServerCertificate',
    Version: '2010-05-08',
    ServerCertificateName: name,
    CertificateBody: readFileSync(join(dir, 'c.pem'), 'utf8'),
    PrivateKey: readFileSync(join(dir, 'k.pem'), 'utf8'),
  });
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=gameday/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x' },
    body,
  });
  const text = await res.text();
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (!arn) throw new Error(`UploadServerCertificate failed: ${text.slice(0, 300)}`);
  return arn;
}

// ---- load balancer --------------------------------------------------------------------------

export interface ShopLb {
  lbArn: string;
  dnsName: string;
  zoneId: string;
  webTg: string;
  apiTg: string;
  instances: string[];
  certs: string[];
}

/**
 * An ALB like a team's: HTTP:80 (forward to web, two rules) and HTTPS:443 (two certificates, forward
 * to api), attributes changed from their defaults, tags, two registered instances, and a hosted zone
 * with an alias (dualstack) and a CNAME that point at it.
 */
export async function seedShopLb(world: AwsWorld, net: Net, opts: { name?: string; tags?: { Key: string; Value: string }[]; zone?: string; deletionProtection?: boolean } = {}): Promise<ShopLb> {
  const name = opts.name ?? 'shop-public';
  const elb = await world.clients.get('elbv2');
  const ec2 = await world.clients.get('ec2');
  const r53 = await world.clients.get('route53');
  const lb = (
    await elb.send(
      new ELB.CreateLoadBalancerCommand({ Name: name, Subnets: net.subnets, SecurityGroups: [net.securityGroup], Scheme: 'internet-facing', Type: 'application', IpAddressType: 'ipv4', Tags: opts.tags ?? [OPT_IN, { Key: 'team', Value: 'shop' }] }),
    )
  ).LoadBalancers![0]!;
  const lbArn = lb.LoadBalancerArn!;
  await elb.send(
    new ELB.ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: lbArn,
      Attributes: [
        { Key: 'idle_timeout.timeout_seconds', Value: '120' },
        { Key: 'deletion_protection.enabled', Value: opts.deletionProtection ? 'true' : 'false' },
      ],
    }),
  );
  const tg = async (tgName: string) => (await elb.send(new ELB.CreateTargetGroupCommand({ Name: tgName, Protocol: 'HTTP', Port: 8080, VpcId: net.vpcId, TargetType: 'instance', HealthCheckPath: '/healthz' }))).TargetGroups![0]!.TargetGroupArn!;
  const webTg = await tg(`${name}-web`.slice(0, 32));
  const apiTg = await tg(`${name}-api`.slice(0, 32));
  const image = await anImage(world);
  const run = await ec2.send(new EC2.RunInstancesCommand({ ImageId: image, MinCount: 2, MaxCount: 2, InstanceType: 't3.micro', SubnetId: net.subnets[0] }));
  const instances = run.Instances!.map((i) => i.InstanceId!);
  await elb.send(new ELB.RegisterTargetsCommand({ TargetGroupArn: webTg, Targets: instances.map((Id) => ({ Id, Port: 8080 })) }));
  await elb.send(new ELB.RegisterTargetsCommand({ TargetGroupArn: apiTg, Targets: [{ Id: instances[0]!, Port: 8080 }] }));

  const http = (await elb.send(new ELB.CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: webTg }] }))).Listeners![0]!;
  await elb.send(
    new ELB.CreateRuleCommand({ ListenerArn: http.ListenerArn, Priority: 10, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }], Actions: [{ Type: 'forward', TargetGroupArn: apiTg }] }),
  );
  await elb.send(
    new ELB.CreateRuleCommand({
      ListenerArn: http.ListenerArn,
      Priority: 20,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['maintenance.shop.example'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'back soon' } }],
    }),
  );
  const certs = [await uploadServerCertificate(world.endpoint, `${name}-main`), await uploadServerCertificate(world.endpoint, `${name}-extra`)];
  const https = (
    await elb.send(
      new ELB.CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 443, SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', Certificates: [{ CertificateArn: certs[0] }], DefaultActions: [{ Type: 'forward', TargetGroupArn: apiTg }] }),
    )
  ).Listeners![0]!;
  await elb.send(new ELB.AddListenerCertificatesCommand({ ListenerArn: https.ListenerArn, Certificates: [{ CertificateArn: certs[1] }] }));

  const zoneName = opts.zone ?? 'shop.example.';
  const zoneId = (await r53.send(new R53.CreateHostedZoneCommand({ Name: zoneName, CallerReference: `${name}-${Date.now()}` }))).HostedZone!.Id!.replace('/hostedzone/', '');
  await r53.send(
    new R53.ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          { Action: 'UPSERT', ResourceRecordSet: { Name: `www.${zoneName}`, Type: 'A', AliasTarget: { HostedZoneId: lb.CanonicalHostedZoneId!, DNSName: `dualstack.${lb.DNSName}.`, EvaluateTargetHealth: true } } },
          { Action: 'UPSERT', ResourceRecordSet: { Name: `api.${zoneName}`, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: lb.DNSName! }] } },
          { Action: 'UPSERT', ResourceRecordSet: { Name: `other.${zoneName}`, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'elsewhere.example.com' }] } },
        ],
      },
    }),
  );
  return { lbArn, dnsName: lb.DNSName!, zoneId, webTg, apiTg, instances, certs };
}

export async function lbsNamed(world: AwsWorld, name: string): Promise<ELB.LoadBalancer[]> {
  const elb = await world.clients.get('elbv2');
  const all = (await elb.send(new ELB.DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  return all.filter((l) => l.LoadBalancerName === name);
}

export async function recordsOf(world: AwsWorld, zoneId: string): Promise<R53.ResourceRecordSet[]> {
  const r53 = await world.clients.get('route53');
  return (await r53.send(new R53.ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets ?? [];
}

// ---- RDS ------------------------------------------------------------------------------------

export async function seedCluster(world: AwsWorld, id: string, members: number, tags = [OPT_IN]): Promise<string[]> {
  const rds = await world.clients.get('rds');
  await rds.send(new RDS.CreateDBClusterCommand({ DBClusterIdentifier: id, Engine: 'aurora-postgresql', MasterUsername: 'shop', MasterUserPassword: 'password123', Tags: tags }));
  const ids: string[] = [];
  for (let i = 1; i <= members; i++) {
    const iid = `${id}-${i}`;
    await rds.send(new RDS.CreateDBInstanceCommand({ DBInstanceIdentifier: iid, DBClusterIdentifier: id, Engine: 'aurora-postgresql', DBInstanceClass: 'db.r6g.large', AvailabilityZone: `${REGION}${'abc'[(i - 1) % 3]}` }));
    ids.push(iid);
  }
  return ids;
}

export async function seedDbInstance(world: AwsWorld, id: string, multiAz: boolean, tags = [OPT_IN]): Promise<void> {
  const rds = await world.clients.get('rds');
  await rds.send(new RDS.CreateDBInstanceCommand({ DBInstanceIdentifier: id, Engine: 'postgres', DBInstanceClass: 'db.t3.micro', MultiAZ: multiAz, AllocatedStorage: 20, MasterUsername: 'shop', MasterUserPassword: 'password123', Tags: tags }));
}

export async function clusterWriter(world: AwsWorld, id: string): Promise<string | undefined> {
  const rds = await world.clients.get('rds');
  const [c] = (await rds.send(new RDS.DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters ?? [];
  return c?.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
}

// ---- EC2 and Auto Scaling -------------------------------------------------------------------

export async function runInstances(world: AwsWorld, net: Net, n: number, tags: { Key: string; Value: string }[]): Promise<string[]> {
  const ec2 = await world.clients.get('ec2');
  const image = await anImage(world);
  const run = await ec2.send(
    new EC2.RunInstancesCommand({ ImageId: image, MinCount: n, MaxCount: n, InstanceType: 't3.micro', SubnetId: net.subnets[0], TagSpecifications: tags.length ? [{ ResourceType: 'instance', Tags: tags }] : undefined }),
  );
  return run.Instances!.map((i) => i.InstanceId!);
}

export async function seedAsg(world: AwsWorld, net: Net, name: string, desired: number, tags = [OPT_IN]): Promise<string[]> {
  const ec2 = await world.clients.get('ec2');
  const asg = await world.clients.get('autoscaling');
  const image = await anImage(world);
  await ec2.send(new EC2.CreateLaunchTemplateCommand({ LaunchTemplateName: `${name}-lt`, LaunchTemplateData: { ImageId: image, InstanceType: 't3.micro' } }));
  await asg.send(
    new ASG.CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      LaunchTemplate: { LaunchTemplateName: `${name}-lt` },
      MinSize: desired,
      MaxSize: desired + 2,
      DesiredCapacity: desired,
      VPCZoneIdentifier: net.subnets.join(','),
      Tags: tags.map((t) => ({ ...t, PropagateAtLaunch: true })),
    }),
  );
  return asgInstances(world, name);
}

export async function asgInstances(world: AwsWorld, name: string): Promise<string[]> {
  const asg = await world.clients.get('autoscaling');
  const [g] = (await asg.send(new ASG.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups ?? [];
  return (g?.Instances ?? []).filter((i) => i.LifecycleState === 'InService').map((i) => i.InstanceId!);
}

export async function stateOf(world: AwsWorld, id: string): Promise<string | undefined> {
  const ec2 = await world.clients.get('ec2');
  const res = await ec2.send(new EC2.DescribeInstancesCommand({ InstanceIds: [id] }));
  return res.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}
