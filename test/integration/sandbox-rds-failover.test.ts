/**
 * An RDS failover in the sandbox reaches the shop: `aws.rds-failover` against the sandbox's AWS
 * endpoint moves the writer; the sandbox's RDS follower (the front-door process) drops the open
 * connections of both PostgreSQL instances, makes the old writer read-only and moves the cluster's
 * names (Services shop-db / shop-db-ro); checkout's held connection breaks, it reconnects, and its
 * orders go to the new writer. Measured through the front door, as a player would see it.
 *
 * This file changes the sandbox's own AWS state (the follower only watches that endpoint): it does
 * so under the real-node network lock (the other files that break the shop's network wait) and fails
 * back to the original writer before it lets go.
 */
import { describe, expect, it } from 'vitest';
import { createAwsPorts } from '../../src/adapters/aws/index.js';
import { AwsClients } from '../../src/adapters/aws/clients.js';
import { awsRdsFailover } from '../../src/injectors/aws-rds-failover/index.js';
import type { FaultRef } from '../../src/injectors/contract.js';
import { contextWith } from '../helpers/contract-suite.js';
import { kubectl, viaFrontDoor } from '../helpers/sandbox/real-node.js';
import { sandboxEnvironment, waitUntil, withRealNodeNetwork } from '../helpers/sandbox/sandbox.js';

interface Sample {
  at: number;
  status: number | string;
  instance?: string;
  error?: string;
}

async function sample(): Promise<Sample> {
  const at = Date.now();
  const r = await viaFrontDoor('/checkout', 5_000);
  if (!('status' in r)) return { at, status: r.error };
  try {
    const body = JSON.parse(r.body) as { db?: { instance?: string; error?: string } };
    return { at, status: r.status, instance: body.db?.instance, error: body.db?.error };
  } catch {
    return { at, status: r.status, error: r.body.slice(0, 200) };
  }
}

const ref = (): FaultRef => ({ faultId: 'f1', drillId: 'drill-rds-sandbox', deadline: Date.now() + 600_000, attached: true });

describe('aws.rds-failover on the sandbox', () => {
  it('moves the writer: checkout fails for a measured window, then writes to the new writer; failing back restores it', () =>
    withRealNodeNetwork(async () => {
      const env = sandboxEnvironment();
      const clients = AwsClients.forEnvironment(env);
      const ctx = contextWith((await createAwsPorts(env, ['rds'], clients)) as unknown as Record<string, unknown>, env);
      const inj = awsRdsFailover;
      const failover = async (params: Record<string, unknown>) => {
        const p = inj.paramsSchema.parse(params);
        const sel = await inj.select(ctx as never, inj.targetSchema.parse({ cluster: 'shop-db' }), p, Math.random);
        const r = ref();
        const undo = JSON.parse(JSON.stringify(await inj.prepare(ctx as never, sel.targets[0]!, p, r))) as { writerBefore: string; members: string[] };
        await inj.inject(ctx as never, sel.targets[0]!, p, undo as never, r);
        return undo;
      };
      try {
        const before = await waitUntil('checkout to write an order', async () => {
          const s = await sample();
          return s.status === 200 && s.instance ? s : undefined;
        }, 120_000, 500);
        // traffic throughout: one checkout every 100 ms (each bounded by 5 s)
        const samples: Sample[] = [];
        let running = true;
        const traffic = (async () => {
          for (let i = 0; running && i < 1_000; i++) {
            samples.push(await sample());
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
        await new Promise((r) => setTimeout(r, 1_000));
        const undo = await failover({});
        const failedOverAt = Date.now();
        expect(undo.writerBefore).toBe(before.instance);
        const other = undo.members.find((m) => m !== before.instance)!;
        // the window ends with the first of three orders in a row taken by the new writer
        await waitUntil('orders on the new writer', async () => {
          const tail = samples.filter((s) => s.at >= failedOverAt).slice(-3);
          return tail.length === 3 && tail.every((s) => s.status === 200 && s.instance === other);
        }, 60_000, 200);
        running = false;
        await traffic;
        const after = samples.filter((s) => s.at >= failedOverAt);
        const failures = after.filter((s) => s.status !== 200);
        const lastFailure = failures.at(-1);
        const firstOk = after.find((s) => s.status === 200 && s.instance === other && (!lastFailure || s.at > lastFailure.at));
        const windowMs = lastFailure && firstOk ? firstOk.at - failedOverAt : 0;
        console.log(
          `rds failover on the sandbox: ${failures.length} failed checkout(s) of ${after.length}; first order on ${other} ${firstOk ? firstOk.at - failedOverAt : '?'} ms after FailoverDBCluster; errors: ${[...new Set(failures.map((f) => `${f.status} ${f.error ?? ''}`.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, 'ADDR')))].slice(0, 4).join(' | ')}`,
        );
        // the failover was seen: at least one checkout failed on the database, and then it healed
        expect(failures.length).toBeGreaterThan(0);
        expect(failures.some((f) => f.status === 503 && /read-only|terminat|reset|EOF|closed|refused|broken pipe/i.test(f.error ?? '')), JSON.stringify(failures.slice(0, 3))).toBe(true);
        expect(windowMs).toBeGreaterThan(0);
        expect(windowMs).toBeLessThan(30_000);
        // checkout's log says what failed
        const logs = kubectl(['-n', 'shop', 'logs', '-l', 'app=checkout', '--since=2m', '--tail=500', '--prefix']);
        expect(logs.stdout).toMatch(/checkout failed: db: /);
      } finally {
        // back to the original writer (whatever happened above), and the shop whole again
        const now = (await (await clients.get('rds')).send(new (await import('@aws-sdk/client-rds')).DescribeDBClustersCommand({ DBClusterIdentifier: 'shop-db' }))).DBClusters?.[0];
        const writer = now?.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
        if (writer && writer !== 'shop-db-1') await failover({ targetInstance: 'shop-db-1' });
        await waitUntil('orders on shop-db-1 again', async () => {
          const s = await sample();
          return s.status === 200 && s.instance === 'shop-db-1';
        }, 60_000, 250);
        await clients.destroy();
      }
    }), 240_000);
});
