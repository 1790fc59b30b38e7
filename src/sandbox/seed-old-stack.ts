/**
 * The sandbox's "old stack", for the weighted-DNS drill (weighted-dns-old-stack): the seed's team
 * moved from Elastic Beanstalk to Kubernetes behind a low-TTL weighted record set, and kept the old
 * stack for rollback. Here that is
 *   - an ALB `shop-beanstalk` whose listener answers with a fixed page of the old checkout (no pods,
 *     no database: what is left of a stack scaled down as confidence in the new one grew), and
 *   - `api.shop.example.` as two weighted alias sets: `kubernetes` (100) → shop-public, and
 *     `beanstalk` (0) → shop-beanstalk.
 * The front door (src/sandbox/edge) honours the weights per request, so shifting them
 * (aws.route53-weight) moves the shop's traffic as resolvers would after one TTL.
 * Create-if-absent, like seed-aws.ts.
 */
import type { AwsClients } from '../adapters/aws/clients.js';

export const OLD_STACK_ALB = 'shop-beanstalk';
export const API_RECORD = 'api.shop.example.';
export const API_HOST = 'api.shop.example';
/** what the old stack answers: a page of the old design, and no pod behind it */
export const OLD_STACK_BODY = '{"stack":"beanstalk","checkout":"the old checkout page (v1): no saved carts, no express delivery"}';

export interface OldStackInput {
  subnetIds: string[];
  hostedZoneId: string;
  /** the new stack's ALB (shop-public) */
  newStack: { dnsName: string; canonicalZoneId?: string };
  tags: { Key: string; Value: string }[];
}

export async function seedOldStack(clients: AwsClients, input: OldStackInput): Promise<{ loadBalancerDns: string }> {
  const old = await oldStackLoadBalancer(clients, input);
  await weightedApiRecords(clients, input, old);
  return { loadBalancerDns: old.dnsName };
}

async function oldStackLoadBalancer(clients: AwsClients, input: OldStackInput): Promise<{ dnsName: string; canonicalZoneId?: string }> {
  const elbm = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const elb = await clients.get('elbv2');
  const found = await elb.send(new elbm.DescribeLoadBalancersCommand({ Names: [OLD_STACK_ALB] })).then(
    (r) => r.LoadBalancers?.[0],
    (e: Error) => {
      if (e.name === 'LoadBalancerNotFoundException') return undefined;
      throw e;
    },
  );
  const lb =
    found ??
    (await elb.send(new elbm.CreateLoadBalancerCommand({ Name: OLD_STACK_ALB, Type: 'application', Scheme: 'internet-facing', IpAddressType: 'ipv4', Subnets: input.subnetIds, Tags: [...input.tags, { Key: 'app', Value: 'shop-old' }] })))
      .LoadBalancers?.[0];
  if (!lb?.LoadBalancerArn || !lb.DNSName) throw new Error(`CreateLoadBalancer ${OLD_STACK_ALB} returned no ARN or DNS name`);
  const listeners = (await elb.send(new elbm.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
  if (!listeners.some((l) => l.Port === 80)) {
    await elb.send(
      new elbm.CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'application/json', MessageBody: OLD_STACK_BODY } }],
        Tags: input.tags,
      }),
    );
  }
  return { dnsName: lb.DNSName, canonicalZoneId: lb.CanonicalHostedZoneId };
}

async function weightedApiRecords(clients: AwsClients, input: OldStackInput, old: { dnsName: string; canonicalZoneId?: string }): Promise<void> {
  const r53m = await import('@aws-sdk/client-route-53');
  const r53 = await clients.get('route53');
  const sets = (await r53.send(new r53m.ListResourceRecordSetsCommand({ HostedZoneId: input.hostedZoneId }))).ResourceRecordSets ?? [];
  if (sets.some((r) => r.Name === API_RECORD && r.Type === 'A')) return;
  // the ALBs' canonical zone (us-east-1) when moto gives none
  const set = (id: string, weight: number, to: { dnsName: string; canonicalZoneId?: string }) => ({
    Action: 'UPSERT' as const,
    ResourceRecordSet: { Name: API_RECORD, Type: 'A' as const, SetIdentifier: id, Weight: weight, AliasTarget: { HostedZoneId: to.canonicalZoneId ?? 'Z35SXDOTRQ7X7K', DNSName: to.dnsName, EvaluateTargetHealth: true } },
  });
  await r53.send(
    new r53m.ChangeResourceRecordSetsCommand({
      HostedZoneId: input.hostedZoneId,
      ChangeBatch: { Comment: 'gameday sandbox: api -> kubernetes 100 / beanstalk 0', Changes: [set('kubernetes', 100, input.newStack), set('beanstalk', 0, old)] },
    }),
  );
}
