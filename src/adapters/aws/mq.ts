/** MqPort (Amazon MQ) over the v3 SDK client. */
import { DescribeBrokerCommand, RebootBrokerCommand, paginateListBrokers, type MqClient } from '@aws-sdk/client-mq';
import type { MqPort } from '../../ports/aws.js';
import { allPages } from './pages.js';
import { defaultRetryPolicy, errorNamed, withRetry, type RetryPolicy } from './retry.js';

export function createMqPort(client: MqClient, policy: RetryPolicy = defaultRetryPolicy()): MqPort {
  const r = <T>(call: () => Promise<T>) => withRetry(policy, call);
  return {
    async listBrokers() {
      return r(() => allPages(paginateListBrokers({ client }, {}), (p) => p.BrokerSummaries));
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
