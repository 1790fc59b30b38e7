/**
 * The RDS cluster's endpoints follow the local AWS endpoint's writer, as Aurora's do: once a second
 * the follower reads which member of the cluster is the writer; when it changes (a FailoverDBCluster,
 * `gameday inject aws.rds-failover`), both instances "restart" — every open connection drops — and
 * come back in their new roles (the old writer read-only), then the cluster's names move: the
 * writer endpoint (Service shop-db) to the new writer's address, the reader endpoint (shop-db-ro) to
 * the others. Until a client's cached answer expires (CoreDNS: 5 s, Aurora's DNS TTL is 5 s too) it
 * may reconnect to the old writer and have its writes refused: that is the failover window.
 */
import type { AwsClients } from '../../adapters/aws/clients.js';

export interface RdsFollowerOptions {
  clients: AwsClients;
  cluster: string;
  instances: readonly { id: string; address: string }[];
  /** restart an instance into its role; the number of connections it dropped */
  applyRole(id: string, role: 'writer' | 'reader'): Promise<number>;
  /** point the writer and reader names at these addresses */
  setEndpoints(writer: string[], readers: string[]): Promise<void>;
  log(m: string): void;
  intervalMs?: number;
}

export interface RdsFollower {
  /** the writer the endpoints point at now */
  writer(): string | undefined;
  tick(): Promise<void>;
  stop(): void;
}

export function startRdsFollower(o: RdsFollowerOptions): RdsFollower {
  let applied: string | undefined;
  let busy = false;
  let lastError = '';
  const addressOf = (id: string) => o.instances.find((i) => i.id === id)?.address;

  async function readWriter(): Promise<string | undefined> {
    const rdsm = await import('@aws-sdk/client-rds');
    const rds = await o.clients.get('rds');
    const out = await rds.send(new rdsm.DescribeDBClustersCommand({ DBClusterIdentifier: o.cluster }));
    return out.DBClusters?.[0]?.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
  }

  async function tick(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      const writer = await readWriter();
      if (!writer || writer === applied || !addressOf(writer)) return;
      const started = Date.now();
      const first = applied === undefined;
      if (!first) o.log(`failover: ${o.cluster} writer ${applied} → ${writer}: restarting the instances into their new roles`);
      let dropped = 0;
      // the old writer first: from now on nothing more is written there
      for (const i of [...o.instances].sort((a, b) => (a.id === applied ? -1 : b.id === applied ? 1 : 0))) dropped += await o.applyRole(i.id, i.id === writer ? 'writer' : 'reader');
      const readers = o.instances.filter((i) => i.id !== writer).map((i) => i.address);
      await o.setEndpoints([addressOf(writer)!], readers);
      o.log(`${o.cluster}: writer ${writer} (${addressOf(writer)}), readers ${readers.join(', ')}; ${dropped} connection(s) dropped; names moved in ${Date.now() - started} ms`);
      applied = writer;
      if (lastError) lastError = '';
    } catch (e) {
      const m = (e as Error).message;
      if (m !== lastError) o.log(`cannot follow ${o.cluster} (retrying every second): ${m}`);
      lastError = m;
    } finally {
      busy = false;
    }
  }

  const timer = setInterval(() => void tick(), o.intervalMs ?? 1_000);
  void tick();
  return { writer: () => applied, tick, stop: () => clearInterval(timer) };
}
