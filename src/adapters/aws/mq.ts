/** MqPort (Amazon MQ) over the v3 SDK client. */
import { DescribeBrokerCommand, ListBrokersCommand, RebootBrokerCommand, type BrokerSummary, type MqClient } from '@aws-sdk/client-mq';
import type { MqPort } from '../../ports/aws.js';
import { defaultRetryPolicy, errorNamed, withRetry, type RetryPolicy } from './retry.js';

export function createMqPort(client: MqClient, policy: RetryPolicy = defaultRetryPolicy()): MqPort {
  const r = <T>(call: () => Promise<T>) => withRetry(policy, call);
  return {
    async listBrokers() {
      const out: BrokerSummary[] = [];
      let NextToken: string | undefined;
      do {
        const res = await r(() => client.send(new ListBrokersCommand({ NextToken })));
        out.push(...(res.BrokerSummaries ?? []));
        NextToken = res.NextToken;
      } while (NextToken);
      return out;
    },
    async describeBroker(brokerId) {
      try {
        return await r(() => client.send(new DescribeBrokerCommand({ BrokerId: brokerId })));
      } catch (e) {
        if (errorNamed(e, 'NotFoundException')) return undefined;
        throw e;
      }
    },
    async rebootBroker(brokerId) {
      await r(() => client.send(new RebootBrokerCommand({ BrokerId: brokerId })));
    },
  };
}
