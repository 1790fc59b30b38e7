/** RDS and CloudWatch alarm lookups for probes. The SDK packages load on first use only. */
import { callSignal } from '../call-scope.js';
import type { Environment } from '../../core/environment.js';
import type { AlarmProbePort, AlarmState, RdsProbePort } from '../../ports/probes.js';
import { AwsClients } from '../aws/clients.js';

// a timer-based signal: AbortSignal.any + AbortSignal.timeout may never fire on Node 20 (see call-scope.ts)
const opts = (timeoutMs: number, signal: AbortSignal) => ({ abortSignal: callSignal(timeoutMs, signal) });

export function createRdsProbePort(clients: AwsClients): RdsProbePort {
  return {
    async describeCluster(cluster, { timeoutMs, signal }) {
      const { DescribeDBClustersCommand } = await import('@aws-sdk/client-rds');
      const rds = await clients.get('rds');
      try {
        const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: cluster }), opts(timeoutMs, signal));
        const c = out.DBClusters?.[0];
        if (!c) return undefined;
        const members = (c.DBClusterMembers ?? []).map((m) => ({ id: m.DBInstanceIdentifier ?? '?', writer: Boolean(m.IsClusterWriter) }));
        return { status: c.Status ?? 'unknown', writer: members.find((m) => m.writer)?.id, members };
      } catch (e) {
        if ((e as Error).name === 'DBClusterNotFoundFault') return undefined;
        throw e;
      }
    },
  };
}

export function createAlarmProbePort(clients: AwsClients): AlarmProbePort {
  return {
    async alarmState(alarm, { timeoutMs, signal }) {
      const { DescribeAlarmsCommand } = await import('@aws-sdk/client-cloudwatch');
      const cw = await clients.get('cloudwatch');
      const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [alarm] }), opts(timeoutMs, signal));
      const a = [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])][0];
      return a?.StateValue as AlarmState | undefined;
    },
  };
}

export const awsClientsFor = (env: Environment): AwsClients => AwsClients.forEnvironment(env);
