/**
 * A recorded drill for the room's screen and the report's timeline: two faults (a one-shot pod kill
 * and a reversible load balancer deletion), three hints of which two are revealed, all four
 * measures (detect, diagnose, mitigate marks; recovery from the probe), a facilitator's note and a
 * flapping probe. Steps are appended one by one by the browser test; `recordedEvents` gives the
 * whole journal for pure tests. `SECRETS` are what the players' screen must never show (and, until
 * the drill has ended, `TARGETS`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DrillEvent, DrillEventBody } from '../../src/core/events.js';

export const SCENARIO_ID = 'shop-outage';
export const SUMMARY = 'FACILITATOR-ONLY: the ALB shop-public is deleted and one checkout pod is killed';
export const BRIEFING = 'Oh no! The shop is down!\nCustomers cannot pay. Find out why, fix it, and tell us how you know.';
export const HINTS = ['Can you reach the front door at all? curl -v http://www.shop.example/', 'Which load balancers does the account have? aws elbv2 describe-load-balancers', 'UNREVEALED: compare the Route 53 alias with the load balancers that exist'];
export const NOTE = 'FACILITATOR-NOTE: they looked at the pods first';
export const TARGETS = ['pod shop/checkout-7d9c', 'loadbalancer shop-public'];
export const KINDS = ['k8s.pod-kill', 'aws.elbv2-delete'];

/** Never on the players' screen, at any time. */
export const SECRETS = [SUMMARY, NOTE, HINTS[2]!];

export interface RecordedStep {
  name: string;
  /** seconds from the drill's start */
  at: number;
  bodies: DrillEventBody[];
  /** hints revealed once this step is shown (indexes into HINTS) */
  revealed: number[];
}

const probe = (ok: boolean, detail: string): DrillEventBody => ({ type: 'probe-result', probe: 'shop-front-door', probeType: 'http', ok, detail });

export function recordedSteps(startMs: number): RecordedStep[] {
  return [
    { name: 'start', at: 0, revealed: [], bodies: [{ type: 'drill-started', mode: 'facilitated', env: 'sandbox', scenario: SCENARIO_ID, title: 'The shop is down', pid: 4242, host: 'room', timeLimitMs: 30 * 60_000, objectives: { detectWithin: 180_000, diagnoseWithin: 480_000, mitigateWithin: 720_000, recoverWithin: 600_000 }, hintCount: 3, runbook: 'runbooks/front-door.md#nothing-answers' }] },
    { name: 'preflight', at: 2, revealed: [], bodies: [{ type: 'preflight', ok: true, checks: [{ name: 'steady state: shop-front-door', ok: true }] }, probe(true, 'HTTP 200 in 41 ms')] },
    { name: 'plan', at: 3, revealed: [], bodies: [{ type: 'plan', faults: [{ index: 0, kind: KINDS[0]!, targets: [TARGETS[0]!], reversible: false }, { index: 1, kind: KINDS[1]!, targets: [TARGETS[1]!], reversible: true, deadline: startMs + 40 * 60_000 }] }] },
    {
      name: 'fault injected',
      at: 10,
      revealed: [],
      bodies: [
        { type: 'fault-intent', record: { faultId: 'f1-pod', kind: KINDS[0]!, target: TARGETS[0]!, reversible: false, undo: {} } },
        { type: 'fault-injected', faultId: 'f1-pod' },
        { type: 'fault-intent', record: { faultId: 'f2-lb', kind: KINDS[1]!, target: TARGETS[1]!, reversible: true, deadline: startMs + 40 * 60_000, undo: { name: 'shop-public' } } },
        { type: 'fault-injected', faultId: 'f2-lb' },
        { type: 'fault-verified', faultId: 'f2-lb', phase: 'injected', ok: true, detail: `${TARGETS[1]} is gone` },
      ],
    },
    { name: 'probe broken', at: 14, revealed: [], bodies: [probe(false, 'connection reset')] },
    { name: 'hint revealed', at: 150, revealed: [0], bodies: [{ type: 'hint-revealed', index: 0, text: HINTS[0]!, trigger: 'timed' }] },
    { name: 'detected', at: 170, revealed: [0], bodies: [{ type: 'mark', mark: 'detected', text: 'the front door resets connections' }] },
    { name: 'note', at: 200, revealed: [0], bodies: [{ type: 'mark', mark: 'note', text: NOTE }] },
    { name: 'second hint', at: 300, revealed: [0, 1], bodies: [{ type: 'hint-revealed', index: 1, text: HINTS[1]!, trigger: 'manual' }] },
    { name: 'diagnosed', at: 330, revealed: [0, 1], bodies: [{ type: 'mark', mark: 'diagnosed', text: 'the load balancer is missing' }, { type: 'fault-observed', faultId: 'f1-pod', detail: { pod: TARGETS[0], replacement: 'shop/checkout-b8e1', readyAfterMs: 4200 } }] },
    {
      name: 'mitigated',
      at: 410,
      revealed: [0, 1],
      bodies: [{ type: 'mark', mark: 'mitigated', text: 'load balancer re-created' }, { type: 'fault-revert-started', faultId: 'f2-lb', reason: 'facilitator' }, { type: 'fault-reverted', faultId: 'f2-lb', outcome: 'reverted' }],
    },
    { name: 'probe flapping: up', at: 425, revealed: [0, 1], bodies: [probe(true, 'HTTP 200 in 230 ms')] },
    { name: 'probe flapping: down', at: 431, revealed: [0, 1], bodies: [probe(false, 'HTTP 502')] },
    { name: 'probe flapping: up again', at: 437, revealed: [0, 1], bodies: [probe(true, 'HTTP 200 in 180 ms')] },
    { name: 'probe flapping: down again', at: 441, revealed: [0, 1], bodies: [probe(false, 'HTTP 503')] },
    { name: 'recovered', at: 452, revealed: [0, 1], bodies: [probe(true, 'HTTP 200 in 38 ms')] },
    { name: 'debrief', at: 600, revealed: [0, 1], bodies: [{ type: 'debrief', answers: { wentWell: 'calm hand-offs', hard: 'no alert on the front door', gaps: 'runbook lacks the LB', actionItems: ['alert on front door 5xx @sam', 'runbook: re-create the ALB @ada'] } }] },
    { name: 'drill end', at: 601, revealed: [0, 1], bodies: [{ type: 'drill-ended', reason: 'completed', detail: 'ended by the facilitator' }] },
  ];
}

/** The whole recorded journal as events (version 1 lines: no checksum needed for pure tests). */
export function recordedEvents(drillId = '20261203-140000-shop-outage-abcd', startMs = Date.parse('2026-12-03T14:00:00.000Z')): DrillEvent[] {
  let seq = 0;
  return recordedSteps(startMs).flatMap((s) => s.bodies.map((b) => ({ v: 1, drillId, seq: ++seq, at: new Date(startMs + s.at * 1000).toISOString(), ...b }) as DrillEvent));
}

/** The scenario file the screen may read the briefing from (it holds the secrets too: the screen must leave them). */
export function writeRecordedScenario(dir: string): void {
  mkdirSync(join(dir, 'scenarios'), { recursive: true });
  writeFileSync(
    join(dir, 'scenarios', `${SCENARIO_ID}.yaml`),
    [`id: ${SCENARIO_ID}`, 'title: The shop is down', `summary: ${JSON.stringify(SUMMARY)}`, `briefing: ${JSON.stringify(BRIEFING)}`, 'hints:', ...HINTS.map((h) => `  - text: ${JSON.stringify(h)}`), ''].join('\n'),
  );
}
