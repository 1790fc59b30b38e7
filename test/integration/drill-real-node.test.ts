/**
 * The drills of the library that break the shop on the sandbox's real node or in its AWS, played by
 * the recording host: the shop's HTTP probe (http://www.shop.example/checkout, through the front
 * door) goes BROKEN within seconds of the injection and healthy again after the team reverts the
 * fault (`x`) — or, for a one-shot fault (db-failover), by itself: the drill's journal holds the window.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/adapters/aws/clients.js';
import { JournalStore } from '../../src/adapters/journal-store.js';
import { clusterLock } from '../../src/adapters/kube/cluster-lease.js';
import { buildPorts } from '../../src/adapters/ports.js';
import { buildProbePorts } from '../../src/adapters/probes/index.js';
import { RecordingHost } from '../../src/cli/hosts/recording.js';
import type { DrillEvent } from '../../src/core/events.js';
import { runDrill } from '../../src/drill/engine.js';
import { loadScenario } from '../../src/drill/scenario-file.js';
import { awsSnapshot, sandboxAws } from '../helpers/sandbox/aws-state.js';
import { onNode, viaFrontDoor, type Run } from '../helpers/sandbox/real-node.js';
import { sandbox, sandboxEnvironment, waitUntil, withRealNodeNetwork, withShopCheckout } from '../helpers/sandbox/sandbox.js';

const REPO = new URL('../../', import.meta.url).pathname;
const at = (e: DrillEvent | undefined): number => (e ? Date.parse(e.at) : NaN);
interface Case {
  id: string;
  /** a one-shot fault: nothing to revert, the shop heals by itself */
  oneShot?: boolean;
  /** the real node goes down with the fault: the files that need the shop's pods wait too */
  takesShop?: boolean;
  /** what the runbook's `iptables-save | grep …` must find on the node during the fault (node faults) */
  rule?: RegExp;
  /** puts the sandbox back as the other files expect it, after the drill */
  restore?: () => Promise<void>;
  /** the runbook's `aws …` diagnosis, run with the real CLI while the symptom is on, and what it must show */
  diagnose?: () => Diagnosis[];
}

interface Diagnosis {
  /** what the runbook promises the command shows */
  shows: string;
  args: string[];
  check: (r: Run) => boolean;
}

const world = () => sandbox().world!;
const out = (r: Run) => `${r.stdout}${r.stderr}`;
const writerOf = (r: Run): string | undefined => (JSON.parse(r.stdout) as { DBInstanceIdentifier: string; IsClusterWriter: boolean }[]).find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;

const CASES: Case[] = [
  { id: 'node-dns-blackhole', rule: /--dport 53\b/ },
  { id: 'db-unreachable', rule: /-d 10\.20\.0\.0\/16 .*--dport 5432\b/ },
  { id: 'nodeport-blocked', rule: /(--dport|--ctorigdstport) 30080\b/ },
  // AWS faults: the front door follows the sandbox's AWS endpoint; the revert re-creates the ALB
  {
    id: 'lb-deleted',
    diagnose: () => [
      { shows: 'LoadBalancerNotFound: it was deleted', args: ['elbv2', 'describe-load-balancers', '--names', 'shop-public'], check: (r) => r.status !== 0 && /LoadBalancerNotFound/.test(out(r)) },
      { shows: 'the target group survived', args: ['elbv2', 'describe-target-groups', '--names', 'shop-web'], check: (r) => r.status === 0 && /"TargetGroupName": "shop-web"/.test(r.stdout) },
    ],
  },
  // the instance behind the real node: its kubelet, containerd and pods stop; the revert starts it
  {
    id: 'node-stopped',
    takesShop: true,
    diagnose: () => [
      { shows: 'the instance is stopped', args: ['ec2', 'describe-instances', '--instance-ids', world().instances['sandbox-real-1']!, '--query', 'Reservations[].Instances[].State.Name', '--output', 'text'], check: (r) => /^(stopping|stopped)\s*$/.test(r.stdout) },
      { shows: 'its target is not in service', args: ['elbv2', 'describe-target-health', '--target-group-arn', world().targetGroupArn], check: (r) => r.status === 0 && new RegExp(`"Id": "${world().instances['sandbox-real-1']}"[\\s\\S]*?"State": "(unused|unhealthy|draining)"`).test(r.stdout) },
    ],
  },
  // api.shop.example's weights shift to the old stack (a fixed page, no pod); the revert shifts them back
  {
    id: 'weighted-dns-old-stack',
    diagnose: () => [
      {
        shows: 'beanstalk carries the weight',
        args: ['route53', 'list-resource-record-sets', '--hosted-zone-id', world().hostedZoneId, '--query', "ResourceRecordSets[?Name=='api.shop.example.'].[SetIdentifier,Weight,TTL]", '--output', 'table'],
        check: (r) => /beanstalk\s*\|\s*100\b/.test(r.stdout) && /kubernetes\s*\|\s*0\b/.test(r.stdout),
      },
    ],
  },
  // the writer moves; checkout's held connections break and it reconnects to the new writer
  {
    id: 'db-failover',
    oneShot: true,
    restore: failBackToFirstWriter,
    diagnose: () => [
      { shows: 'shop-db-2 is the writer now', args: ['rds', 'describe-db-clusters', '--db-cluster-identifier', 'shop-db', '--query', 'DBClusters[0].DBClusterMembers'], check: (r) => r.status === 0 && writerOf(r) === 'shop-db-2' },
    ],
  },
];

/** The other files expect shop-db-1 to be the writer (as `sandbox up` leaves it). */
async function failBackToFirstWriter(): Promise<void> {
  const rds = await import('@aws-sdk/client-rds');
  const clients = AwsClients.forEnvironment(sandboxEnvironment());
  try {
    const client = await clients.get('rds');
    const writer = async () => (await client.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'shop-db' }))).DBClusters?.[0]?.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
    if ((await writer()) !== 'shop-db-1') await client.send(new rds.FailoverDBClusterCommand({ DBClusterIdentifier: 'shop-db', TargetDBInstanceIdentifier: 'shop-db-1' }));
    await waitUntil('shop-db-1 to be the writer and checkout to write there', async () => {
      if ((await writer()) !== 'shop-db-1') return false;
      const r = await viaFrontDoor('/checkout');
      return 'status' in r && r.status === 200 && r.body.includes('shop-db-1');
    }, 90_000, 500);
  } finally {
    clients.destroy();
  }
}

const exclusive = <T>(c: Case, fn: () => Promise<T>): Promise<T> => withRealNodeNetwork(() => (c.takesShop ? withShopCheckout(fn) : fn()));

describe.each(CASES)('$id on the sandbox (recording host)', (c) => {
  const { id } = c;
  it(c.oneShot ? 'the shop probe breaks within seconds of the injection and heals by itself; the journal holds the window' : 'the shop probe breaks within seconds of the injection and heals after the revert', () =>
    exclusive(c, async () => {
      // an environment of its own name: its drill lock and cluster Lease never meet another test's
      const env = { ...sandboxEnvironment(), name: `sandbox-${id}` };
      const stateDir = mkdtempSync(join(tmpdir(), `gd-${id}-`));
      const { scenario, root } = await loadScenario(id, { dir: 'scenarios', cwd: REPO });
      // the shop is whole before the drill (another file's fault may have just been reverted)
      await waitUntil('the shop to answer 200', async () => {
        const r = await viaFrontDoor('/checkout');
        return 'status' in r && r.status === 200;
      }, 120_000, 1000);
      // db-failover moves the writer from shop-db-1, as `sandbox up` leaves it
      if (c.oneShot) await c.restore?.();
      const awsBefore = await awsSnapshot();
      let broken = false;
      let rules = '';
      let diagnosis: { shows: string; command: string; ok: boolean; output: string }[] = [];
      const isShop = (e: { type: string; probe?: string }) => e.type === 'probe-result' && e.probe === 'shop-checkout';
      const host = new RecordingHost({
        answers: { wentWell: 'the probe showed it', hard: 'finding the cause', gaps: 'none', actionItems: 'alert on checkout 5xx @sam' },
        reactions: [
          // the team sees the shop fail, and takes the fault away (`x`: revert faults now; nothing to
          // revert after a one-shot fault)
          { on: (e) => isShop(e) && e.type === 'probe-result' && !e.ok, keys: c.oneShot ? ['d'] : ['d', 'x'] },
          { on: (e) => isShop(e) && e.type === 'probe-result' && e.ok && broken, keys: ['m', 'q'] },
        ],
        onEvent: (e) => {
          if (e.type === 'probe-result' && isShop(e) && !e.ok && !broken && c.rule) {
            // the runbook's diagnosis on the node (`gameday sandbox shell -- iptables-save`), while the symptom is on
            rules = ['iptables-nft-save', 'iptables-legacy-save'].map((save) => onNode([save], 10_000).stdout).join('\n');
          }
          if (e.type === 'probe-result' && isShop(e) && !e.ok && !broken && c.diagnose) {
            // the runbook's `aws …` commands, typed by a player while the shop is down
            diagnosis = c.diagnose().map((d) => {
              const r = sandboxAws(d.args);
              return { shows: d.shows, command: `aws ${d.args.join(' ')}`, ok: d.check(r), output: out(r).slice(0, 600) };
            });
          }
          if (e.type === 'probe-result' && isShop(e) && !e.ok) broken = true;
        },
      });
      try {
        const result = await runDrill({ scenario, env, mode: 'facilitated', stateDir, root, seed: 7, tickMs: 200, recheckMs: 60_000 }, { host, signal: new AbortController().signal, buildPorts, buildProbePorts, clusterLock });
        const { events } = new JournalStore(stateDir).read(result.drillId);
        const injected = events.find((e) => e.type === 'fault-injected');
        const firstBroken = events.find((e) => isShop(e) && e.type === 'probe-result' && !e.ok);
        // the agents flush their rules on SIGTERM, before revert has seen every pod gone and journaled
        // `fault-reverted`: the shop heals after the revert starts
        const reverting = events.find((e) => e.type === 'fault-revert-started');
        const reverted = events.find((e) => e.type === 'fault-reverted');
        const healedFrom = c.oneShot ? firstBroken : reverting;
        const healed = events.find((e) => isShop(e) && e.type === 'probe-result' && e.ok && at(e) > at(healedFrom));
        expect(events.find((e) => e.type === 'preflight')).toMatchObject({ ok: true });
        expect(injected).toBeDefined();
        expect(firstBroken, JSON.stringify(events.filter((e) => e.type === 'probe-result').slice(-5))).toBeDefined();
        if (c.oneShot) expect(reverting, 'a one-shot fault has nothing to revert').toBeUndefined();
        else expect(reverted).toBeDefined();
        expect(healed).toBeDefined();
        const brokeAfter = (at(firstBroken) - at(injected)) / 1000;
        const healedAfter = (at(healed) - at(healedFrom)) / 1000;
        const detail = firstBroken?.type === 'probe-result' ? firstBroken.detail : '';
        console.log(
          c.oneShot
            ? `${id}: shop-checkout BROKEN ${brokeAfter.toFixed(1)} s after the injection (${detail}); the journaled window: ${healedAfter.toFixed(1)} s from the first failed probe to the first healthy one`
            : `${id}: shop-checkout BROKEN ${brokeAfter.toFixed(1)} s after the injection (${detail}); healthy ${healedAfter.toFixed(1)} s after the revert started`,
        );
        expect(brokeAfter).toBeLessThan(30);
        // the symptom follows the intent (journaled before anything was touched); it may come before the
        // journaled `fault-injected`, which waits for every agent to report its rules (1.5 s before it, in a
        // CI run at load 4)
        const intent = events.find((e) => e.type === 'fault-intent');
        expect(at(firstBroken)).toBeGreaterThanOrEqual(at(intent));
        expect(events.at(-1)).toMatchObject({ type: 'drill-ended' });
        if (c.diagnose) {
          expect(diagnosis.length, 'the runbook commands ran while the shop was down').toBe(c.diagnose().length);
          for (const d of diagnosis) expect(d.ok, `${d.command} should show: ${d.shows}\n${d.output}`).toBe(true);
        }
        // the AWS resources are as before (a one-shot failover leaves the writer moved, by design)
        const awsAfter = await awsSnapshot();
        if (c.oneShot) {
          expect({ ...awsAfter, dbMembers: awsAfter.dbMembers.map((m) => m.id) }).toEqual({ ...awsBefore, dbMembers: awsBefore.dbMembers.map((m) => m.id) });
          expect(awsAfter.dbMembers.find((m) => m.writer)?.id).not.toBe(awsBefore.dbMembers.find((m) => m.writer)?.id);
        } else expect(awsAfter).toEqual(awsBefore);
        // gameday's own chain, each rule commented with the drill, blocking what the scenario says
        const ours = rules.split('\n').filter((l) => /^-A GD-/.test(l));
        if (c.rule) expect(ours.some((l) => c.rule!.test(l) && l.includes(`gameday:${result.drillId}`)), ours.join('\n') || '(no GD- rules)').toBe(true);
        // (other test files may hold rules of their own drills on the node meanwhile: only this drill's count)
        else expect(ours.filter((l) => l.includes(`gameday:${result.drillId}`)), "a fault in AWS leaves the node's iptables alone").toEqual([]);
        // and after the drill, the node's rules hold nothing of it (the agents flushed on SIGTERM)
        const left = ['iptables-nft-save', 'iptables-legacy-save'].flatMap((save) => onNode([save], 10_000).stdout.split('\n')).filter((l) => l.includes(`gameday:${result.drillId}`));
        expect(left, 'rules of the drill left on the node').toEqual([]);
      } finally {
        await c.restore?.();
      }
    }), 420_000);
});
