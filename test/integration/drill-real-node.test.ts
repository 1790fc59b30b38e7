/**
 * The node-level drills of the library, played on the sandbox's real node by the recording host:
 * the shop's HTTP probe (http://www.shop.example/checkout, through the front door) goes BROKEN
 * within seconds of the injection and healthy again after the team reverts the fault (`x`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalStore } from '../../src/adapters/journal-store.js';
import { clusterLock } from '../../src/adapters/kube/cluster-lease.js';
import { buildPorts } from '../../src/adapters/ports.js';
import { buildProbePorts } from '../../src/adapters/probes/index.js';
import { RecordingHost } from '../../src/cli/hosts/recording.js';
import type { DrillEvent } from '../../src/core/events.js';
import { runDrill } from '../../src/drill/engine.js';
import { loadScenario } from '../../src/drill/scenario-file.js';
import { onNode, viaFrontDoor } from '../helpers/sandbox/real-node.js';
import { sandboxEnvironment, waitUntil, withRealNodeNetwork } from '../helpers/sandbox/sandbox.js';

const REPO = new URL('../../', import.meta.url).pathname;
const at = (e: DrillEvent | undefined): number => (e ? Date.parse(e.at) : NaN);
/** what the runbook's `iptables-save | grep …` must find on the node during each drill's fault */
const RULE: Record<string, RegExp> = { 'node-dns-blackhole': /--dport 53\b/, 'db-unreachable': /-d 10\.20\.0\.0\/16 .*--dport 5432\b/, 'nodeport-blocked': /(--dport|--ctorigdstport) 30080\b/ };

// lb-deleted changes the sandbox's AWS (the front door follows that endpoint); its revert re-creates the ALB
describe.each(['node-dns-blackhole', 'db-unreachable', 'nodeport-blocked', 'lb-deleted'])('%s on the real node (recording host)', (id) => {
  it('the shop probe breaks within seconds of the injection and heals after the revert', () =>
    withRealNodeNetwork(async () => {
      // an environment of its own name: its drill lock and cluster Lease never meet another test's
      const env = { ...sandboxEnvironment(), name: `sandbox-${id}` };
      const stateDir = mkdtempSync(join(tmpdir(), `gd-${id}-`));
      const { scenario, root } = loadScenario(id, { dir: 'scenarios', cwd: REPO });
      // the shop is whole before the drill (another file's fault may have just been reverted)
      await waitUntil('the shop to answer 200', async () => {
        const r = await viaFrontDoor('/checkout');
        return 'status' in r && r.status === 200;
      }, 120_000, 1000);
      let broken = false;
      let rules = '';
      const host = new RecordingHost({
        answers: { wentWell: 'the probe showed it', hard: 'iptables', gaps: 'none', actionItems: 'alert on checkout 5xx @sam' },
        reactions: [
          // the team sees the shop fail, and takes the fault away (`x`: revert faults now)
          { on: (e) => e.type === 'probe-result' && e.probe === 'shop-checkout' && !e.ok, keys: ['d', 'x'] },
          { on: (e) => e.type === 'probe-result' && e.probe === 'shop-checkout' && e.ok && broken, keys: ['m', 'q'] },
        ],
        onEvent: (e) => {
          if (e.type === 'probe-result' && e.probe === 'shop-checkout' && !e.ok && !broken) {
            // the runbook's diagnosis on the node (`gameday sandbox shell -- iptables-save`), while the symptom is on
            rules = ['iptables-nft-save', 'iptables-legacy-save'].map((save) => onNode([save], 10_000).stdout).join('\n');
          }
          if (e.type === 'probe-result' && e.probe === 'shop-checkout' && !e.ok) broken = true;
        },
      });
      const result = await runDrill({ scenario, env, mode: 'facilitated', stateDir, root, seed: 7, tickMs: 200, recheckMs: 60_000 }, { host, signal: new AbortController().signal, buildPorts, buildProbePorts, clusterLock });
      const { events } = new JournalStore(stateDir).read(result.drillId);
      const injected = events.find((e) => e.type === 'fault-injected');
      const firstBroken = events.find((e) => e.type === 'probe-result' && e.probe === 'shop-checkout' && !e.ok);
      // the agents flush their rules on SIGTERM, before revert has seen every pod gone and journaled
      // `fault-reverted`: the shop heals after the revert starts
      const reverting = events.find((e) => e.type === 'fault-revert-started');
      const reverted = events.find((e) => e.type === 'fault-reverted');
      const healed = events.find((e) => e.type === 'probe-result' && e.probe === 'shop-checkout' && e.ok && at(e) > at(reverting));
      expect(events.find((e) => e.type === 'preflight')).toMatchObject({ ok: true });
      expect(injected).toBeDefined();
      expect(firstBroken, JSON.stringify(events.filter((e) => e.type === 'probe-result').slice(-5))).toBeDefined();
      expect(reverted).toBeDefined();
      expect(healed).toBeDefined();
      const brokeAfter = (at(firstBroken) - at(injected)) / 1000;
      const healedAfter = (at(healed) - at(reverting)) / 1000;
      console.log(`${id}: shop-checkout BROKEN ${brokeAfter.toFixed(1)} s after the injection (${firstBroken?.type === 'probe-result' ? firstBroken.detail : ''}); healthy ${healedAfter.toFixed(1)} s after the revert started`);
      expect(brokeAfter).toBeLessThan(30);
      expect(at(firstBroken)).toBeGreaterThanOrEqual(at(injected) - 1000);
      expect(events.at(-1)).toMatchObject({ type: 'drill-ended' });
      // gameday's own chain, each rule commented with the drill, blocking what the scenario says
      const ours = rules.split('\n').filter((l) => /^-A GD-/.test(l));
      const want = RULE[id];
      if (want) expect(ours.some((l) => want.test(l) && l.includes(`gameday:${result.drillId}`)), ours.join('\n') || '(no GD- rules)').toBe(true);
      // (other test files may hold rules of their own drills on the node meanwhile: only this drill's count)
      else expect(ours.filter((l) => l.includes(`gameday:${result.drillId}`)), 'a fault in AWS leaves the node\'s iptables alone').toEqual([]);
    }), 360_000);
});
