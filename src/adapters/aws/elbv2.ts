/** Elbv2Port over the v3 SDK client. Imported only when a planned fault needs it. */
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyLoadBalancerAttributesCommand,
  paginateDescribeListenerCertificates,
  paginateDescribeListeners,
  paginateDescribeRules,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
  type Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Elbv2Port } from '../../ports/aws.js';
import { allPages } from './pages.js';
import { defaultRetryPolicy, errorNamed, withRetry, type RetryPolicy } from './retry.js';

const NOT_FOUND = ['LoadBalancerNotFoundException', 'LoadBalancerNotFound', 'ListenerNotFoundException', 'ListenerNotFound', 'TargetGroupNotFoundException', 'TargetGroupNotFound', 'RuleNotFoundException'];

async function orEmpty<T>(p: Promise<T[]>): Promise<T[]> {
  try {
    return await p;
  } catch (e) {
    if (errorNamed(e, ...NOT_FOUND)) return [];
    throw e;
  }
}

export function createElbv2Port(client: ElasticLoadBalancingV2Client, policy: RetryPolicy = defaultRetryPolicy()): Elbv2Port {
  const r = <T>(call: () => Promise<T>) => withRetry(policy, call);

  async function pagedLbs(input: { LoadBalancerArns?: string[]; Names?: string[] }): Promise<LoadBalancer[]> {
    const out: LoadBalancer[] = [];
    let Marker: string | undefined;
    do {
      const res = await r(() => client.send(new DescribeLoadBalancersCommand({ ...input, Marker })));
      out.push(...(res.LoadBalancers ?? []));
      Marker = res.NextMarker;
    } while (Marker);
    return out;
  }

  return {
    async describeLoadBalancers(query) {
      if (!query || (!query.arns && !query.names)) return pagedLbs({});
      // one call per key: a single unknown name or ARN fails a whole batch
      const out: LoadBalancer[] = [];
      for (const arn of query.arns ?? []) out.push(...(await orEmpty(pagedLbs({ LoadBalancerArns: [arn] }))));
      for (const name of query.names ?? []) out.push(...(await orEmpty(pagedLbs({ Names: [name] }))));
      return out;
    },
    async describeTags(arns) {
      const out: Record<string, Tag[]> = {};
      for (let i = 0; i < arns.length; i += 20) {
        const chunk = arns.slice(i, i + 20);
        try {
          const res = await r(() => client.send(new DescribeTagsCommand({ ResourceArns: chunk })));
          for (const d of res.TagDescriptions ?? []) if (d.ResourceArn) out[d.ResourceArn] = d.Tags ?? [];
        } catch (e) {
          if (!errorNamed(e, ...NOT_FOUND)) throw e;
          // one missing resource fails the chunk: ask one by one
          for (const arn of chunk) {
            try {
              const res = await r(() => client.send(new DescribeTagsCommand({ ResourceArns: [arn] })));
              for (const d of res.TagDescriptions ?? []) if (d.ResourceArn) out[d.ResourceArn] = d.Tags ?? [];
            } catch (e2) {
              if (!errorNamed(e2, ...NOT_FOUND)) throw e2;
            }
          }
        }
      }
      return out;
    },
    async describeLoadBalancerAttributes(lbArn) {
      return orEmpty(r(async () => (await client.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn }))).Attributes ?? []));
    },
    async modifyLoadBalancerAttributes(lbArn, attributes) {
      if (!attributes.length) return;
      await r(() => client.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: attributes })));
    },
    async describeListeners(lbArn) {
      return orEmpty(r(() => allPages(paginateDescribeListeners({ client }, { LoadBalancerArn: lbArn }), (p) => p.Listeners)));
    },
    async describeListenerCertificates(listenerArn) {
      return orEmpty(r(() => allPages(paginateDescribeListenerCertificates({ client }, { ListenerArn: listenerArn }), (p) => p.Certificates)));
    },
    async describeRules(listenerArn) {
      return orEmpty(r(() => allPages(paginateDescribeRules({ client }, { ListenerArn: listenerArn }), (p) => p.Rules)));
    },
    async describeTargetGroups(arns) {
      const out = [];
      for (const arn of arns) out.push(...(await orEmpty(r(async () => (await client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }))).TargetGroups ?? []))));
      return out;
    },
    async describeTargetHealth(targetGroupArn) {
      return orEmpty(r(async () => (await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))).TargetHealthDescriptions ?? []));
    },
    async createLoadBalancer(input) {
      const res = await r(() => client.send(new CreateLoadBalancerCommand(input)));
      const lb = res.LoadBalancers?.[0];
      if (!lb) throw new Error(`CreateLoadBalancer returned no load balancer for ${input.Name}`);
      return lb;
    },
    async createListener(input) {
      const res = await r(() => client.send(new CreateListenerCommand(input)));
      const l = res.Listeners?.[0];
      if (!l) throw new Error(`CreateListener returned no listener for port ${input.Port}`);
      return l;
    },
    async addListenerCertificates(listenerArn, certificates) {
      if (!certificates.length) return;
      await r(() => client.send(new AddListenerCertificatesCommand({ ListenerArn: listenerArn, Certificates: certificates })));
    },
    async createRule(input) {
      const res = await r(() => client.send(new CreateRuleCommand(input)));
      const rule = res.Rules?.[0];
      if (!rule) throw new Error(`CreateRule returned no rule for priority ${input.Priority}`);
      return rule;
    },
    async deleteLoadBalancer(lbArn) {
      try {
        await r(() => client.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn })));
        return true;
      } catch (e) {
        if (errorNamed(e, ...NOT_FOUND)) return false;
        throw e;
      }
    },
  };
}
