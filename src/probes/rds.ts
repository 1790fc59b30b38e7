import { failureDetail, type ProbeOf } from './contract.js';

export const rdsProbe: ProbeOf<'rds'> = {
  type: 'rds',
  needs: ['rds'],
  awsAccess: () => [{ actions: ['rds:DescribeDBClusters'], resources: ['*'], scope: 'read', why: 'steady-state probe: cluster status and writer' }],
  describe: (s) => `RDS cluster ${s.cluster} available${s.expectWriter ? ` with writer ${s.expectWriter}` : ''}`,
  async check(spec, { ports, timeoutMs, signal }) {
    try {
      const c = await ports.rds.describeCluster(spec.cluster, { timeoutMs, signal });
      if (!c) return { ok: false, detail: 'cluster not found' };
      if (c.status !== 'available') return { ok: false, detail: `status ${c.status}` };
      if (!c.writer) return { ok: false, detail: 'no writer' };
      if (spec.expectWriter && c.writer !== spec.expectWriter) return { ok: false, detail: `writer is ${c.writer}, expected ${spec.expectWriter}` };
      return { ok: true, detail: `available, writer ${c.writer}` };
    } catch (e) {
      return { ok: false, detail: `API: ${failureDetail(e)}` };
    }
  },
};
