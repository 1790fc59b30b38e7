/** AutoScalingPort over the v3 SDK client. */
import { paginateDescribeAutoScalingGroups, paginateDescribeAutoScalingInstances, type AutoScalingClient, type AutoScalingInstanceDetails } from '@aws-sdk/client-auto-scaling';
import type { AutoScalingPort } from '../../ports/aws.js';
import { allPages } from './pages.js';
import { defaultRetryPolicy, withRetry, type RetryPolicy } from './retry.js';

export function createAutoScalingPort(client: AutoScalingClient, policy: RetryPolicy = defaultRetryPolicy()): AutoScalingPort {
  const r = <T>(call: () => Promise<T>) => withRetry(policy, call);
  return {
    async describeAutoScalingInstances(ids) {
      const out: AutoScalingInstanceDetails[] = [];
      for (let i = 0; i < ids.length; i += 50) {
        const chunk = ids.slice(i, i + 50); // the API takes at most 50 ids a call
        out.push(...(await r(() => allPages(paginateDescribeAutoScalingInstances({ client }, { InstanceIds: chunk }), (p) => p.AutoScalingInstances))));
      }
      return out;
    },
    async describeAutoScalingGroups(names) {
      return r(() => allPages(paginateDescribeAutoScalingGroups({ client }, { AutoScalingGroupNames: names }), (p) => p.AutoScalingGroups));
    },
  };
}
