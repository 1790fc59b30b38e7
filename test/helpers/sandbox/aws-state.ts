/**
 * The sandbox's AWS as a player and a reviewer see it: the runbooks' `aws …` commands run through
 * the real CLI (`gameday sandbox aws -- …`), and a snapshot of every resource the library's AWS
 * drills touch, to compare before and after a drill.
 */
import { spawnSync } from 'node:child_process';
import { AwsClients } from '../../../src/adapters/aws/clients.js';
import type { Run } from './real-node.js';
import { sandboxEnvironment } from './sandbox.js';

const BIN = new URL('../../../bin/gameday.js', import.meta.url).pathname;

/** `gameday sandbox aws -- <args>`, as a player types a runbook's command (bounded). */
export function sandboxAws(args: string[], timeoutMs = 60_000): Run {
  const r = spawnSync(process.execPath, [BIN, 'sandbox', 'aws', '--', ...args], { encoding: 'utf8', timeout: timeoutMs, env: process.env });
  return { status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

export interface AwsSnapshot {
  loadBalancers: unknown[];
  instances: unknown[];
  records: unknown[];
  dbMembers: { id: string; writer: boolean }[];
}

/** What the AWS drills touch, without what AWS makes up anew on a re-creation (ARNs, dates). */
export async function awsSnapshot(): Promise<AwsSnapshot> {
  const clients = AwsClients.forEnvironment(sandboxEnvironment());
  try {
    const elbm = await import('@aws-sdk/client-elastic-load-balancing-v2');
    const ec2m = await import('@aws-sdk/client-ec2');
    const r53m = await import('@aws-sdk/client-route-53');
    const rdsm = await import('@aws-sdk/client-rds');
    const [elb, ec2, r53, rds] = await Promise.all([clients.get('elbv2'), clients.get('ec2'), clients.get('route53'), clients.get('rds')]);
    const lbs = (await elb.send(new elbm.DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    const loadBalancers = await Promise.all(
      lbs.map(async (lb) => {
        const listeners = (await elb.send(new elbm.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
        return { name: lb.LoadBalancerName, dns: lb.DNSName, scheme: lb.Scheme, state: lb.State?.Code, listeners: listeners.map((l) => ({ port: l.Port, protocol: l.Protocol, actions: l.DefaultActions?.map((a) => a.Type) })) };
      }),
    );
    const reservations = (await ec2.send(new ec2m.DescribeInstancesCommand({}))).Reservations ?? [];
    const instances = reservations.flatMap((r) => r.Instances ?? []).map((i) => ({ id: i.InstanceId, name: i.Tags?.find((t) => t.Key === 'Name')?.Value, state: i.State?.Name }));
    const zones = (await r53.send(new r53m.ListHostedZonesCommand({}))).HostedZones ?? [];
    const records = (
      await Promise.all(zones.map(async (z) => (await r53.send(new r53m.ListResourceRecordSetsCommand({ HostedZoneId: z.Id!.replace(/^\/hostedzone\//, '') }))).ResourceRecordSets ?? []))
    )
      .flat()
      .map((r) => ({ name: r.Name, type: r.Type, set: r.SetIdentifier, weight: r.Weight, alias: r.AliasTarget?.DNSName?.toLowerCase() }));
    const cluster = (await rds.send(new rdsm.DescribeDBClustersCommand({ DBClusterIdentifier: 'shop-db' }))).DBClusters?.[0];
    const dbMembers = (cluster?.DBClusterMembers ?? []).map((m) => ({ id: m.DBInstanceIdentifier!, writer: m.IsClusterWriter === true })).sort((a, b) => a.id.localeCompare(b.id));
    const byName = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    return { loadBalancers: loadBalancers.sort(byName), instances: instances.sort(byName), records: records.sort(byName), dbMembers };
  } finally {
    clients.destroy();
  }
}
