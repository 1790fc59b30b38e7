/** Reading who writes, where, and whether a failover is done: pure decisions over RdsPort answers. */
import type { RdsPort } from '../../ports/aws.js';

export interface DbState {
  status: string;
  writer?: string;
  /** the writer's availability zone */
  az?: string;
  members: string[];
  multiAz: boolean;
  clusterId?: string;
  tags: { Key?: string; Value?: string }[];
}

export async function readClusterState(rds: RdsPort, id: string): Promise<DbState | undefined> {
  const [c] = await rds.describeDbClusters(id);
  if (!c) return undefined;
  const members = (c.DBClusterMembers ?? []).map((m) => m.DBInstanceIdentifier).filter((m): m is string => !!m);
  const writer = (c.DBClusterMembers ?? []).find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
  const s: DbState = { status: c.Status ?? 'unknown', members, multiAz: !!c.MultiAZ || members.length > 1, tags: c.TagList ?? [] };
  if (writer) {
    s.writer = writer;
    const [w] = await rds.describeDbInstances(writer);
    if (w?.AvailabilityZone) s.az = w.AvailabilityZone;
  }
  return s;
}

export async function readInstanceState(rds: RdsPort, id: string): Promise<DbState | undefined> {
  const [i] = await rds.describeDbInstances(id);
  if (!i) return undefined;
  const s: DbState = { status: i.DBInstanceStatus ?? 'unknown', writer: id, members: [id], multiAz: !!i.MultiAZ, tags: i.TagList ?? [] };
  if (i.AvailabilityZone) s.az = i.AvailabilityZone;
  if (i.DBClusterIdentifier) s.clusterId = i.DBClusterIdentifier;
  return s;
}

/**
 * Done when the writer (cluster) or the primary's AZ (instance) moved away from `from` AND the status
 * is `available`. A describe right after the call that still shows the old writer as `available`
 * is stale, not a failover that finished instantly.
 */
export function failoverDone(kind: 'cluster' | 'instance', from: { writer: string; az?: string }, now: DbState): boolean {
  if (now.status !== 'available' || !now.writer) return false;
  return kind === 'cluster' ? now.writer !== from.writer : !!now.az && now.az !== from.az;
}
