/** AutoScalingPort over the v3 SDK client. */
import { DescribeAutoScalingGroupsCommand, DescribeAutoScalingInstancesCommand, type AutoScalingClient, type AutoScalingGroup, type AutoScalingInstanceDetails } from '@aws-sdk/client-auto-scaling';
import type { AutoScalingPort } from '../../ports/aws.js';
import { defaultRetryPolicy, withRetry, type RetryPolicy } from './retry.js';

export function createAutoScalingPort(client: AutoScalingClient, policy: RetryPolicy = defaultRetryPolicy()): AutoScalingPort {
  const r = <T>(call: () => Promise<T>) => withRetry(policy, call);
  return {
    async describeAutoScalingInstances(ids) {
      const out: AutoScalingInstanceDetails[] = [];
      for (let i = 0; i < ids.length; i += 50) {
        const chunk = ids.slice(i, i + 50);
        let NextToken: string | undefined;
        do {
          const res = await r(() => client.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: chunk, NextToken })));
          out.push(...(res.AutoScalingInstances ?? []));
          NextToken = res.NextToken;
        } while (NextToken);
      }
      return out;
    },
    async describeAutoScalingGroups(names) {
      const out: AutoScalingGroup[] = [];
      let NextToken: string | undefined;
      do {
        const res = await r(() => client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names, NextToken })));
        out.push(...(res.AutoScalingGroups ?? []));
        NextToken = res.NextToken;
      } while (NextToken);
      return out;
    },
  };
}
