/**
 * Reads what the front door needs from the local AWS endpoint (moto) into an AwsView (routing.ts):
 * hosted zones and their records, load balancers with listeners and rules, target groups with their
 * registered targets' state, and instances. One read is a bounded number of calls (a few per zone,
 * load balancer, listener and target group; at most MAX_* of each), made with the same SDK clients
 * the injectors use, so the front door sees exactly what a drill changed.
 */
import type { AwsClients } from '../../adapters/aws/clients.js';
import { normaliseDns, type ActionView, type AwsView, type ConditionView } from './routing.js';

const MAX_ZONES = 20;
const MAX_LOAD_BALANCERS = 20;
const MAX_TARGET_GROUPS = 40;

interface SdkAction {
  Type?: string;
  Order?: number;
  TargetGroupArn?: string;
  ForwardConfig?: { TargetGroups?: { TargetGroupArn?: string; Weight?: number }[] };
  FixedResponseConfig?: { StatusCode?: string; ContentType?: string; MessageBody?: string };
  RedirectConfig?: { StatusCode?: string; Protocol?: string; Host?: string; Port?: string; Path?: string; Query?: string };
}

export function actionView(a: SdkAction): ActionView {
  const groups = a.ForwardConfig?.TargetGroups?.length
    ? a.ForwardConfig.TargetGroups.filter((g) => g.TargetGroupArn).map((g) => ({ arn: g.TargetGroupArn!, weight: g.Weight ?? 1 }))
    : a.TargetGroupArn
      ? [{ arn: a.TargetGroupArn, weight: 1 }]
      : undefined;
  return {
    type: a.Type ?? '',
    order: a.Order,
    targetGroups: groups,
    fixed: a.FixedResponseConfig ? { status: Number(a.FixedResponseConfig.StatusCode ?? 200), contentType: a.FixedResponseConfig.ContentType, body: a.FixedResponseConfig.MessageBody } : undefined,
    redirect: a.RedirectConfig
      ? { status: a.RedirectConfig.StatusCode === 'HTTP_302' ? 302 : 301, protocol: a.RedirectConfig.Protocol, host: a.RedirectConfig.Host, port: a.RedirectConfig.Port, path: a.RedirectConfig.Path, query: a.RedirectConfig.Query }
      : undefined,
  };
}

export function conditionView(c: { Field?: string; Values?: string[]; PathPatternConfig?: { Values?: string[] }; HostHeaderConfig?: { Values?: string[] }; HttpRequestMethodConfig?: { Values?: string[] } }): ConditionView {
  const values = c.PathPatternConfig?.Values ?? c.HostHeaderConfig?.Values ?? c.HttpRequestMethodConfig?.Values ?? c.Values ?? [];
  return { field: c.Field ?? '', values };
}

export async function readAwsView(clients: AwsClients): Promise<AwsView> {
  const ec2m = await import('@aws-sdk/client-ec2');
  const elbm = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const r53m = await import('@aws-sdk/client-route-53');
  const [ec2, elb, r53] = await Promise.all([clients.get('ec2'), clients.get('elbv2'), clients.get('route53')]);

  const zonesP = (async () => {
    const hz = (await r53.send(new r53m.ListHostedZonesCommand({ MaxItems: MAX_ZONES }))).HostedZones ?? [];
    return Promise.all(
      hz.slice(0, MAX_ZONES).map(async (z) => {
        const sets = (await r53.send(new r53m.ListResourceRecordSetsCommand({ HostedZoneId: z.Id!.replace(/^\/hostedzone\//, ''), MaxItems: 300 }))).ResourceRecordSets ?? [];
        return {
          name: normaliseDns(z.Name ?? ''),
          records: sets.map((r) => ({
            name: normaliseDns(r.Name ?? ''),
            type: r.Type ?? '',
            alias: r.AliasTarget?.DNSName ? normaliseDns(r.AliasTarget.DNSName) : undefined,
            values: (r.ResourceRecords ?? []).map((v) => v.Value ?? ''),
            ...(r.SetIdentifier !== undefined && r.Weight !== undefined ? { setIdentifier: r.SetIdentifier, weight: r.Weight } : {}),
          })),
        };
      }),
    );
  })();

  const lbsP = (async () => {
    const lbs = ((await elb.send(new elbm.DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).slice(0, MAX_LOAD_BALANCERS);
    return Promise.all(
      lbs.map(async (lb) => {
        const listeners = (await elb.send(new elbm.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
        return {
          arn: lb.LoadBalancerArn ?? '',
          name: lb.LoadBalancerName ?? '',
          dnsName: normaliseDns(lb.DNSName ?? ''),
          state: lb.State?.Code ?? 'active',
          listeners: await Promise.all(
            listeners.map(async (l) => {
              const rules = (await elb.send(new elbm.DescribeRulesCommand({ ListenerArn: l.ListenerArn }))).Rules ?? [];
              return {
                port: l.Port ?? 0,
                protocol: l.Protocol ?? '',
                defaultActions: (l.DefaultActions ?? []).map(actionView),
                rules: rules.filter((r) => !r.IsDefault && r.Priority !== 'default').map((r) => ({ priority: Number(r.Priority), conditions: (r.Conditions ?? []).map(conditionView), actions: (r.Actions ?? []).map(actionView) })),
              };
            }),
          ),
        };
      }),
    );
  })();

  const tgsP = (async () => {
    const tgs = ((await elb.send(new elbm.DescribeTargetGroupsCommand({}))).TargetGroups ?? []).slice(0, MAX_TARGET_GROUPS);
    return Promise.all(
      tgs.map(async (tg) => {
        const health = (await elb.send(new elbm.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions ?? [];
        return {
          arn: tg.TargetGroupArn ?? '',
          name: tg.TargetGroupName ?? '',
          healthCheckPath: tg.HealthCheckPath ?? '/',
          healthCheckPort: tg.HealthCheckPort ?? 'traffic-port',
          targets: health.map((h) => ({ id: h.Target?.Id ?? '', port: h.Target?.Port ?? tg.Port ?? 80, state: h.TargetHealth?.State ?? 'unknown' })),
        };
      }),
    );
  })();

  const instancesP = (async () => {
    const res = await ec2.send(new ec2m.DescribeInstancesCommand({ MaxResults: 1000 }));
    return (res.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => ({ id: i.InstanceId ?? '', privateIp: i.PrivateIpAddress, state: i.State?.Name ?? 'unknown' }));
  })();

  const [zones, loadBalancers, targetGroups, instances] = await Promise.all([zonesP, lbsP, tgsP, instancesP]);
  return { zones, loadBalancers, targetGroups, instances, at: Date.now() };
}
