/** Ec2Port and AutoScalingPort over the v3 SDK clients. */
import { paginateDescribeInstances, StartInstancesCommand, StopInstancesCommand, TerminateInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import type { Ec2Port } from '../../ports/aws.js';
import { allPages } from './pages.js';
import { defaultRetryPolicy, errorNamed, withRetry, type RetryPolicy } from './retry.js';

const NOT_FOUND = ['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed'];

export function createEc2Port(client: EC2Client, policy: RetryPolicy = defaultRetryPolicy()): Ec2Port {
  const r = <T>(call: () => Promise<T>) => withRetry(policy, call);
  async function describe(input: { InstanceIds?: string[]; Filters?: { Name: string; Values: string[] }[] }): Promise<Instance[]> {
    const reservations = await r(() => allPages(paginateDescribeInstances({ client }, input), (p) => p.Reservations));
    return reservations.flatMap((rsv) => rsv.Instances ?? []);
  }
  return {
    async describeInstances(query) {
      const Filters = query.filters?.map((f) => ({ Name: f.name, Values: f.values }));
      if (!query.ids) return describe({ Filters });
      const out: Instance[] = [];
      // one id per call: one unknown id fails a whole batch
      for (const id of query.ids) {
        try {
          out.push(...(await describe({ InstanceIds: [id], Filters })));
        } catch (e) {
          if (!errorNamed(e, ...NOT_FOUND)) throw e;
        }
      }
      return out;
    },
    async stopInstances(ids) {
      await r(() => client.send(new StopInstancesCommand({ InstanceIds: ids })));
    },
    async startInstances(ids) {
      await r(() => client.send(new StartInstancesCommand({ InstanceIds: ids })));
    },
    async terminateInstances(ids) {
      await r(() => client.send(new TerminateInstancesCommand({ InstanceIds: ids })));
    },
  };
}
