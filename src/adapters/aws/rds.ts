/** RdsPort over the v3 SDK client. */
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, FailoverDBClusterCommand, RebootDBInstanceCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { RdsPort } from '../../ports/aws.js';
import { defaultRetryPolicy, errorNamed, withRetry, type RetryPolicy } from './retry.js';

export function createRdsPort(client: RDSClient, policy: RetryPolicy = defaultRetryPolicy()): RdsPort {
  const r = <T>(call: () => Promise<T>) => withRetry(policy, call);
  return {
    async describeDbClusters(id) {
      try {
        return (await r(() => client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id })))).DBClusters ?? [];
      } catch (e) {
        if (errorNamed(e, 'DBClusterNotFoundFault')) return [];
        throw e;
      }
    },
    async describeDbInstances(id) {
      try {
        return (await r(() => client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })))).DBInstances ?? [];
      } catch (e) {
        if (errorNamed(e, 'DBInstanceNotFoundFault', 'DBInstanceNotFound')) return [];
        throw e;
      }
    },
    async failoverDbCluster(id, targetInstance) {
      await r(() => client.send(new FailoverDBClusterCommand({ DBClusterIdentifier: id, ...(targetInstance ? { TargetDBInstanceIdentifier: targetInstance } : {}) })));
    },
    async rebootDbInstance(id, forceFailover) {
      await r(() => client.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: id, ForceFailover: forceFailover })));
    },
  };
}
