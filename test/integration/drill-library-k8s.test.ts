/**
 * The library's Kubernetes drills played end to end on the sandbox's real node, unattended by the
 * recording host (as drill-real-node.test.ts does for the iptables ones): the scenario's own
 * probes go BROKEN during the fault (the symptom is real), the drill recovers the way the scenario
 * says (the team reverts with `x`, or the cluster heals by itself), and afterwards every API
 * object the fault touched equals its state before. The runbook's diagnosis commands are run
 * during the fault and show the symptom they promise.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalStore } from '../../src/adapters/journal-store.js';
import { clusterLock } from '../../src/adapters/kube/cluster-lease.js';
import { buildPorts } from '../../src/adapters/ports.js';
import { buildProbePorts } from '../../src/adapters/probes/index.js';
import { RecordingHost, type Reaction } from '../../src/cli/hosts/recording.js';
import type { Environment } from '../../src/core/environment.js';
import type { DrillEvent } from '../../src/core/events.js';
import type { Scenario } from '../../src/core/scenario.js';
import { runDrill, type DrillResult } from '../../src/drill/engine.js';
import { loadScenario } from '../../src/drill/scenario-file.js';
import { kubectl, viaFrontDoor } from '../helpers/sandbox/real-node.js';
import { objectState } from '../helpers/sandbox/k8s-objects.js';
import { sandbox, sandboxEnvironment, waitUntil, withRealNodeNetwork, withShopCheckout } from '../helpers/sandbox/sandbox.js';

const REPO = new URL('../../', import.meta.url).pathname;
const at = (e: DrillEvent | undefined): number => (e ? Date.parse(e.at) : NaN);
const ANSWERS = { wentWell: 'the probes showed it', hard: 'finding the cause', gaps: 'none', actionItems: 'alert on it @sam' };

/** The shop whole: both Deployments complete, the front door answering (a previous drill may just have ended). */
async function shopWhole(): Promise<void> {
  await waitUntil('the shop whole (checkout 3/3, catalog 2/2, front door 200)', async () => {
    const d = kubectl(['-n', 'shop', 'get', 'deploy', 'checkout', 'catalog', '-o', 'jsonpath={range .items[*]}{.status.readyReplicas}/{.spec.replicas} {end}']);
    if (d.stdout.trim() !== '3/3 2/2') return false;
    const r = await viaFrontDoor('/checkout');
    return 'status' in r && r.status === 200;
  }, 180_000, 1000);
}

const broken = (probe: string) => (e: { type: string; probe?: string; ok?: boolean }) => e.type === 'probe-result' && e.probe === probe && !e.ok;

interface Played {
  result: DrillResult;
  events: DrillEvent[];
  firstBroken?: DrillEvent;
  healed?: DrillEvent;
  injected: DrillEvent[];
  revertStarted?: DrillEvent;
  /** command outputs taken while the symptom was on */
  diagnosis: Record<string, string>;
}

/**
 * Plays a scenario with the recording host. `probe` is the symptom to watch; in facilitated mode
 * the team marks it detected and diagnosed and reverts (`d`, `g`, `x`) once it breaks, then mitigated and quits once
 * it is healthy again (`m`, `q`); unattended, the engine ends the drill when steady state holds.
 */
async function play(id: string, o: { probe: string; mode: 'facilitated' | 'unattended'; env?: Environment; edit?: (s: Scenario) => Scenario; diagnose?: Record<string, string[]>; revertAfterInjections?: number }): Promise<Played> {
  const env = o.env ?? { ...sandboxEnvironment(), name: `sandbox-${id}` };
  const stateDir = mkdtempSync(join(tmpdir(), `gd-${id}-`));
  const loaded = await loadScenario(id, { dir: 'scenarios', cwd: REPO });
  const scenario = o.edit ? o.edit(loaded.scenario) : loaded.scenario;
  const diagnosis: Record<string, string> = {};
  let injections = 0;
  let wasBroken = false;
  const ready = () => injections >= (o.revertAfterInjections ?? 1);
  const reactions: Reaction[] =
    o.mode === 'facilitated'
      ? [
          { on: (e) => broken(o.probe)(e) && ready(), keys: ['d', 'g', 'x'] },
          { on: (e) => e.type === 'probe-result' && e.probe === o.probe && e.ok && wasBroken, keys: ['m', 'q'] },
        ]
      : [];
  const host = new RecordingHost({
    answers: ANSWERS,
    reactions,
    onEvent: (e) => {
      // intents are journaled (and shown) before the mutation: a probe may see the symptom before `fault-injected` is written
      if (e.type === 'fault-intent') injections++;
      if (broken(o.probe)(e) && ready() && !wasBroken) {
        wasBroken = true;
        // the runbook's diagnosis commands, while the symptom is on (bounded, ~100 ms each)
        for (const [name, args] of Object.entries(o.diagnose ?? {})) {
          const r = kubectl(args, 15_000);
          diagnosis[name] = `${r.stdout}${r.stderr}`;
        }
      }
    },
  });
  // the shop is whole before the drill: the fault of the file that held the shop just before may still be healing (preflight refused one at load 18)
  await waitUntil('the shop to answer 200 before the drill', async () => {
    const r = await viaFrontDoor('/checkout');
    return 'status' in r && r.status === 200;
  }, 120_000, 1000);
  const result = await runDrill({ scenario, env, mode: o.mode, stateDir, root: loaded.root, seed: 7, tickMs: 200, recheckMs: 120_000, settleMs: 5_000 }, { host, signal: new AbortController().signal, buildPorts, buildProbePorts, clusterLock });
  const { events } = new JournalStore(stateDir).read(result.drillId);
  const injected = events.filter((e) => e.type === 'fault-injected');
  const lastInjected = injected[injected.length - 1];
  const firstBroken = events.find((e) => broken(o.probe)(e as never) && at(e) >= at(lastInjected) - 1000);
  const revertStarted = events.find((e) => e.type === 'fault-revert-started');
  const healed = events.find((e) => e.type === 'probe-result' && e.probe === o.probe && e.ok && at(e) > at(firstBroken));
  return { result, events, injected, diagnosis, ...(firstBroken ? { firstBroken } : {}), ...(healed ? { healed } : {}), ...(revertStarted ? { revertStarted } : {}) };
}

function report(id: string, p: Played): void {
  const brokeAfter = (at(p.firstBroken) - at(p.injected[p.injected.length - 1])) / 1000;
  const healedAfter = (at(p.healed) - at(p.revertStarted ?? p.firstBroken)) / 1000;
  const detail = p.firstBroken?.type === 'probe-result' ? p.firstBroken.detail : '';
  console.log(`[figure] ${id}: BROKEN ${brokeAfter.toFixed(1)} s after the injection (${detail}); healthy ${healedAfter.toFixed(1)} s after ${p.revertStarted ? 'the revert started' : 'breaking'}; outcome ${p.result.outcome}`);
}

/** The drills take turns with every other file that breaks the real node's network or the shop's pods. */
const exclusive = <T>(fn: () => Promise<T>): Promise<T> => withRealNodeNetwork(() => withShopCheckout(fn));

describe('the library on the sandbox (recording host, real node)', () => {
  it('catalog-scaled-to-zero: the shop breaks, `x` restores the replicas, the Deployment is as before', () =>
    exclusive(async () => {
      expect(sandbox().realNodes.length).toBeGreaterThan(0);
      await shopWhole();
      const before = await objectState('deployment', 'shop', 'catalog');
      const p = await play('catalog-scaled-to-zero', {
        probe: 'shop-checkout',
        mode: 'facilitated',
        diagnose: { deploy: ['-n', 'shop', 'get', 'deploy', 'catalog'], describe: ['-n', 'shop', 'describe', 'deploy', 'catalog'] },
      });
      report('catalog-scaled-to-zero', p);
      // a team that detects, diagnoses and mitigates within the objectives passes the drill
      expect(p.result.outcome).toBe('passed');
      expect(p.firstBroken, 'the shop probe went BROKEN').toBeDefined();
      expect(p.healed, 'the shop probe was healthy again after the revert').toBeDefined();
      expect(p.events.find((e) => e.type === 'fault-reverted')).toMatchObject({ outcome: 'reverted' });
      expect(p.diagnosis.deploy).toMatch(/catalog\s+0\/0\s/);
      expect(p.diagnosis.describe).toMatch(/Replicas:\s+0 desired/);
      expect(p.diagnosis.describe).toMatch(/gameday\.dev\/replicas-before: 2/);
      expect((at(p.firstBroken) - at(p.injected[0])) / 1000).toBeLessThan(30);
      await shopWhole();
      expect(await objectState('deployment', 'shop', 'catalog')).toEqual(before);
    }), 420_000);

  it('catalog-service-broken: no endpoints while the pods stay Ready; `x` restores the exact selector', () =>
    exclusive(async () => {
      await shopWhole();
      const before = await objectState('service', 'shop', 'catalog');
      const p = await play('catalog-service-broken', {
        probe: 'shop-checkout',
        mode: 'facilitated',
        diagnose: {
          slices: ['-n', 'shop', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=catalog'],
          selector: ['-n', 'shop', 'get', 'svc', 'catalog', '-o', 'jsonpath={.spec.selector}'],
          pods: ['-n', 'shop', 'get', 'deploy', 'catalog'],
          // busybox 1.35's wget -T segfaults: bounded by timeout instead (node-images/README.md)
          call: ['-n', 'shop', 'exec', 'deploy/checkout', '--', 'timeout', '5', 'wget', '-qO-', 'http://catalog/items'],
        },
      });
      report('catalog-service-broken', p);
      // a team that detects, diagnoses and mitigates within the objectives passes the drill
      expect(p.result.outcome).toBe('passed');
      expect(p.firstBroken).toBeDefined();
      expect(p.healed).toBeDefined();
      expect(p.diagnosis.slices).toMatch(/<unset>/);
      expect(p.diagnosis.selector).toContain('"app":"catalog-v2"');
      expect(p.diagnosis.pods).toMatch(/catalog\s+2\/2\s/);
      // from a checkout pod, the catalog's ClusterIP refuses: kube-proxy rejects a Service without endpoints
      expect(p.diagnosis.call).toMatch(/refused|can't connect/i);
      expect(await objectState('service', 'shop', 'catalog')).toEqual(before);
      await shopWhole();
    }), 420_000);

  it('node-drained: the real node is cordoned and the shop evicted (Pending), `x` uncordons, the node is as before', () =>
    exclusive(async () => {
      await shopWhole();
      const node = sandbox().realNodes[0]!;
      const before = await objectState('node', '', node);
      const deployBefore = [await objectState('deployment', 'shop', 'checkout'), await objectState('deployment', 'shop', 'catalog')];
      const p = await play('node-drained', {
        probe: 'shop-checkout',
        mode: 'facilitated',
        diagnose: { nodes: ['get', 'nodes', node], pending: ['-n', 'shop', 'get', 'pods', '--field-selector=status.phase=Pending'] },
      });
      report('node-drained', p);
      // a team that detects, diagnoses and mitigates within the objectives passes the drill
      expect(p.result.outcome).toBe('passed');
      expect(p.firstBroken).toBeDefined();
      expect(p.healed).toBeDefined();
      const injected = p.injected[0]!;
      expect(injected.type === 'fault-injected' && injected.detail).toMatchObject({ node, cordoned: true, blockedByPdb: [] });
      expect(((injected.type === 'fault-injected' && injected.detail?.evicted) as string[]).filter((x) => x.startsWith('shop/')).length).toBe(5);
      expect(p.diagnosis.nodes).toMatch(/SchedulingDisabled/);
      expect(p.diagnosis.pending).toMatch(/Pending/);
      await shopWhole();
      expect(await objectState('node', '', node)).toEqual(before);
      expect([await objectState('deployment', 'shop', 'checkout'), await objectState('deployment', 'shop', 'catalog')]).toEqual(deployBefore);
    }), 420_000);

  it('checkout-pods-some (unattended): two of three pods go, checkout-ready breaks and heals by itself, the drill passes', () =>
    exclusive(async () => {
      await shopWhole();
      const before = await objectState('deployment', 'shop', 'checkout');
      const p = await play('checkout-pods-some', {
        probe: 'checkout-ready',
        mode: 'unattended',
        diagnose: { deploy: ['-n', 'shop', 'get', 'deploy', 'checkout'], events: ['-n', 'shop', 'get', 'events', '--sort-by=.lastTimestamp', '--field-selector', 'involvedObject.kind=Pod'] },
      });
      report('checkout-pods-some', p);
      expect(p.injected).toHaveLength(2);
      expect(p.firstBroken).toBeDefined();
      expect(p.healed).toBeDefined();
      // the runbook's first two commands, while it is broken: fewer than 3 ready, pods being killed
      expect(p.diagnosis.deploy).toMatch(/checkout\s+[0-2]\/3\s/);
      expect(p.diagnosis.events).toMatch(/Killing/);
      expect(p.events.at(-1)).toMatchObject({ type: 'drill-ended', reason: 'completed' });
      expect(p.result.outcome).toBe('passed');
      await shopWhole();
      expect(await objectState('deployment', 'shop', 'checkout')).toEqual(before);
    }), 420_000);

  it('catalog-pods-all: refused by the sandbox’s 70% cap; with a 100% cap every catalog pod goes and the shop heals by itself', () =>
    exclusive(async () => {
      await shopWhole();
      const refused = await play('catalog-pods-all', { probe: 'catalog-ready', mode: 'unattended' }).catch((e: Error) => e);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toMatch(/guard max-percent \(fault 1\): fault 1 \(k8s\.pod-kill\): 2 of 2 \(100%\) exceeds the cap of 70%/);
      const env = sandboxEnvironment();
      const open = { ...env, name: 'sandbox-catalog-pods-all', guards: { ...env.guards, maxPercent: 100 } };
      const p = await play('catalog-pods-all', { probe: 'catalog-ready', mode: 'unattended', env: open });
      report('catalog-pods-all', p);
      expect(p.injected).toHaveLength(2);
      expect(p.firstBroken).toBeDefined();
      expect(p.healed).toBeDefined();
      expect(p.result.outcome).toBe('passed');
      await shopWhole();
    }), 420_000);

  it('checkout-kill-then-dns: the pod kill first, DNS dark `at` 20 s (3m in the library), the shop breaks again, `x` ends it', () =>
    exclusive(async () => {
      await shopWhole();
      const p = await play('checkout-kill-then-dns', {
        probe: 'shop-checkout',
        mode: 'facilitated',
        // the library's 3m makes a slow test: the same drill with the second fault 20 s in
        edit: (s) => ({ ...s, faults: s.faults.map((f, i) => (i === 1 ? { ...f, at: 20_000 } : f)) }),
        revertAfterInjections: 2,
        diagnose: { call: ['-n', 'shop', 'exec', 'deploy/checkout', '--', 'timeout', '12', 'nslookup', 'catalog.shop.svc.cluster.local'] },
      });
      report('checkout-kill-then-dns', p);
      // a team that detects, diagnoses and mitigates within the objectives passes the drill
      expect(p.result.outcome).toBe('passed');
      const [kill, dns] = p.injected;
      expect(kill && dns).toBeTruthy();
      const start = p.events.find((e) => e.type === 'drill-started' || e.type === 'fault-intent');
      expect((at(dns) - at(start)) / 1000).toBeGreaterThanOrEqual(19);
      expect(p.firstBroken).toBeDefined();
      expect(at(p.firstBroken)).toBeGreaterThanOrEqual(at(dns) - 1000);
      // from a checkout pod, the catalog's name does not resolve
      expect(p.diagnosis.call).toMatch(/timed out|no servers could be reached|can't resolve/i);
      expect(p.healed).toBeDefined();
      await shopWhole();
    }), 420_000);
});
