/**
 * The recorded journals the report goldens are rendered from (test/fixtures/journals/drills/):
 * written through the real journal writer (JournalStore.open → append, checksummed lines) at fixed
 * times, so every byte of them and of the reports is deterministic.
 *
 * - a facilitated drill with two faults, hints, all four measures and a flapping probe (the
 *   recorded drill of the screen's tests);
 * - a drill ended by `gameday halt` while a fault was active (reverted with reason `halt`, ended
 *   `halted`);
 * - a drill whose process died mid-drill: its journal stops with a fault active and no end;
 * - a tabletop: no faults, a checklist ticked off on the clock, marks and a debrief.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { JournalStore } from '../../src/adapters/journal-store.js';
import type { DrillEventBody } from '../../src/core/events.js';
import { recordedSteps } from './recorded-drill.js';

export const FIXTURE_STATE_DIR = join(import.meta.dirname, '..', 'fixtures', 'journals');

interface FixtureJournal {
  drillId: string;
  startMs: number;
  /** [seconds from the start, event] */
  events: [number, DrillEventBody][];
}

const FULL_START = Date.parse('2026-12-03T14:00:00.000Z');
const full: FixtureJournal = {
  drillId: '20261203-140000-shop-outage-abcd',
  startMs: FULL_START,
  events: recordedSteps(FULL_START).flatMap((s) => s.bodies.map((b): [number, DrillEventBody] => [s.at, b])),
};

const HALT_START = Date.parse('2026-12-09T14:00:00.000Z');
const iptablesTarget = 'node sandbox-worker-1: drop tcp/30080';
const halted: FixtureJournal = {
  drillId: '20261209-140000-nodeport-blocked-b7k2',
  startMs: HALT_START,
  events: [
    [0, { type: 'drill-started', mode: 'facilitated', env: 'sandbox', scenario: 'nodeport-blocked', title: 'Checkout answers nowhere', pid: 5150, host: 'room', timeLimitMs: 30 * 60_000, objectives: { detectWithin: 300_000, diagnoseWithin: 600_000, mitigateWithin: 900_000, recoverWithin: 900_000 }, hintCount: 2, runbook: 'runbooks/node-network.md#nodeport' }],
    [2, { type: 'preflight', ok: true, checks: [{ name: 'steady state: checkout-nodeport', ok: true }, { name: 'node agent on sandbox-worker-1', ok: true }] }],
    [2, { type: 'probe-result', probe: 'checkout-nodeport', probeType: 'tcp', ok: true, detail: 'connected in 2 ms' }],
    [3, { type: 'plan', faults: [{ index: 0, kind: 'node.iptables', targets: [iptablesTarget], reversible: true, deadline: HALT_START + 20 * 60_000 }] }],
    [5, { type: 'fault-intent', record: { faultId: 'f1-ipt-worker-1', kind: 'node.iptables', target: iptablesTarget, reversible: true, deadline: HALT_START + 20 * 60_000, undo: { node: 'sandbox-worker-1', chain: 'GAMEDAY-b7k2' } } }],
    [5, { type: 'fault-injected', faultId: 'f1-ipt-worker-1' }],
    [6, { type: 'fault-verified', faultId: 'f1-ipt-worker-1', phase: 'injected', ok: true, detail: 'rule present in GAMEDAY-b7k2' }],
    [8, { type: 'probe-result', probe: 'checkout-nodeport', probeType: 'tcp', ok: false, detail: 'connection timed out after 1s' }],
    [125, { type: 'mark', mark: 'detected', text: 'checkout times out from outside' }],
    [200, { type: 'hint-revealed', index: 0, text: 'Is it every node, or one?', trigger: 'manual' }],
    [262, { type: 'fault-revert-started', faultId: 'f1-ipt-worker-1', reason: 'halt' }],
    [263, { type: 'fault-reverted', faultId: 'f1-ipt-worker-1', outcome: 'reverted' }],
    [263, { type: 'fault-verified', faultId: 'f1-ipt-worker-1', phase: 'reverted', ok: true, detail: 'chain GAMEDAY-b7k2 gone' }],
    [264, { type: 'probe-result', probe: 'checkout-nodeport', probeType: 'tcp', ok: true, detail: 'connected in 3 ms' }],
    [264, { type: 'drill-ended', reason: 'halted', detail: 'the halt flag was set (real customers on the sandbox)' }],
  ],
};

const DIED_START = Date.parse('2026-12-10T09:30:00.000Z');
const lbTarget = 'loadbalancer shop-public';
const died: FixtureJournal = {
  drillId: '20261210-093000-lb-deleted-q9x1',
  startMs: DIED_START,
  events: [
    [0, { type: 'drill-started', mode: 'facilitated', env: 'sandbox', scenario: 'lb-deleted', title: 'The front door is gone', pid: 31337, host: 'laptop-7', timeLimitMs: 30 * 60_000, objectives: { detectWithin: 180_000, recoverWithin: 600_000 }, hintCount: 2 }],
    [1, { type: 'preflight', ok: true, checks: [{ name: 'steady state: shop-front-door', ok: true }] }],
    [1, { type: 'probe-result', probe: 'shop-front-door', probeType: 'http', ok: true, detail: 'HTTP 200 in 40 ms' }],
    [2, { type: 'plan', faults: [{ index: 0, kind: 'aws.elbv2-delete', targets: [lbTarget], reversible: true, deadline: DIED_START + 30 * 60_000 }] }],
    [4, { type: 'fault-intent', record: { faultId: 'f1-lb', kind: 'aws.elbv2-delete', target: lbTarget, reversible: true, deadline: DIED_START + 30 * 60_000, undo: { name: 'shop-public' } } }],
    [5, { type: 'fault-injected', faultId: 'f1-lb' }],
    [5, { type: 'reaper-started', pid: 31338, deadline: DIED_START + 30 * 60_000 }],
    [7, { type: 'probe-result', probe: 'shop-front-door', probeType: 'http', ok: false, detail: 'connection refused' }],
    [95, { type: 'mark', mark: 'detected', text: 'the site is down' }],
    // the laptop's lid closed here: no revert, no end
  ],
};

const TABLETOP_START = Date.parse('2026-12-16T13:00:00.000Z');
const steps = ['accounts, state and credentials found', 'network and cluster created', 'nodes joined and add-ons running', 'secrets, certificates and DNS in place', 'checkout deployed and serving'];
const tabletop: FixtureJournal = {
  drillId: '20261216-130000-cluster-rebuild-tabletop-t4b1',
  startMs: TABLETOP_START,
  events: [
    [0, { type: 'drill-started', mode: 'facilitated', env: 'sandbox', scenario: 'cluster-rebuild-tabletop', title: 'How fast can we build a new cluster from scratch?', pid: 808, host: 'room', timeLimitMs: 90 * 60_000, objectives: { diagnoseWithin: 30 * 60_000, mitigateWithin: 60 * 60_000 }, hintCount: 3, runbook: 'runbooks/cluster-rebuild.md#rebuild-from-scratch', checklist: steps.map((step, i) => ({ step, targetMs: [10, 30, 45, 60, 80][i]! * 60_000 })) }],
    [1, { type: 'plan', faults: [] }],
    [420, { type: 'step-done', index: 0, step: steps[0]! }],
    [600, { type: 'hint-revealed', index: 0, text: 'Where is the state that Terraform/kops needs, and who can read it?', trigger: 'timed' }],
    [900, { type: 'mark', mark: 'detected', text: 'the VPC module is not in the repo' }],
    [1500, { type: 'mark', mark: 'diagnosed', text: 'plan agreed: Terraform for the network, eksctl for the cluster' }],
    [1680, { type: 'step-done', index: 1, step: steps[1]! }],
    [1700, { type: 'mark', mark: 'note', text: 'the ingress controller values file lives on Sam’s laptop' }],
    [3000, { type: 'step-done', index: 2, step: steps[2]! }],
    [4200, { type: 'mark', mark: 'mitigated', text: 'checkout answers through the new load balancer' }],
    [4300, { type: 'step-done', index: 4, step: steps[4]! }],
    [4500, { type: 'debrief', answers: { wentWell: 'the network module applied first time', hard: 'certificates: nobody knew where the CA key is', gaps: 'ingress values, DNS delegation', actionItems: ['put the ingress values in the repo @sam', 'document the CA key location @ada', 'test a restore of the DNS zone'] } }],
    [4501, { type: 'drill-ended', reason: 'completed', detail: 'ended by the facilitator' }],
  ],
};

export const FIXTURE_JOURNALS = { full, halted, died, tabletop } as const;
export type FixtureName = keyof typeof FIXTURE_JOURNALS;

/** Writes one fixture journal into `stateDir` through the real writer; returns its drill id. */
export function recordFixture(stateDir: string, name: FixtureName): string {
  const f = FIXTURE_JOURNALS[name];
  const writer = new JournalStore(stateDir).open(f.drillId);
  try {
    for (const [s, body] of f.events) writer.append(body, new Date(f.startMs + s * 1000));
  } finally {
    writer.close();
  }
  return f.drillId;
}

/** Records every fixture into a fresh state dir and copies the journals over the checked-in ones. */
export function rerecordFixtures(scratchStateDir: string): void {
  mkdirSync(join(FIXTURE_STATE_DIR, 'drills'), { recursive: true });
  for (const name of Object.keys(FIXTURE_JOURNALS) as FixtureName[]) {
    const id = recordFixture(scratchStateDir, name);
    copyFileSync(join(scratchStateDir, 'drills', `${id}.jsonl`), join(FIXTURE_STATE_DIR, 'drills', `${id}.jsonl`));
  }
}
