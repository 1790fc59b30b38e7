import type { DrillEvent, DrillEventBody } from '../../src/core/events.js';

/** A journal written by hand: offsets in seconds from the drill's start. */
export function journal(lines: [number, DrillEventBody][], drillId = 'd1'): DrillEvent[] {
  const t = Date.parse('2026-11-25T10:00:00.000Z');
  return lines.map(([s, body], i) => ({ v: 1, drillId, seq: i + 1, at: new Date(t + s * 1000).toISOString(), ...body }) as DrillEvent);
}

export const sampleJournal = (mode: 'facilitated' | 'unattended' = 'facilitated') =>
  journal([
    [0, { type: 'drill-started', mode, env: 'sandbox', scenario: 'checkout-pod-kill', title: 'Checkout pods vanish', pid: 1, host: 'h', objectives: { detectWithin: 180_000, diagnoseWithin: 480_000, mitigateWithin: 720_000, recoverWithin: 300_000 }, hintCount: 3, runbook: 'runbooks/checkout-pods.md#x' }],
    [1, { type: 'preflight', ok: true, checks: [{ name: 'steady state: checkout-ready', ok: true }] }],
    [10, { type: 'probe-result', probe: 'checkout-ready', probeType: 'k8s', ok: true, detail: '3/3 ready' }],
    [20, { type: 'fault-intent', record: { faultId: 'f1-a', kind: 'k8s.pod-kill', target: 'pod shop/checkout-a', reversible: false, undo: {} } }],
    [20, { type: 'fault-injected', faultId: 'f1-a' }],
    [22, { type: 'probe-result', probe: 'checkout-ready', probeType: 'k8s', ok: false, detail: '2/3 ready' }],
    [23, { type: 'fault-observed', faultId: 'f1-a', detail: { pod: 'shop/checkout-a', replacement: 'shop/checkout-b', readyAfterMs: 2500 } }],
    [80, { type: 'hint-revealed', index: 0, text: 'look at the deployment', trigger: 'manual' }],
    [140, { type: 'mark', mark: 'detected' }],
    [260, { type: 'mark', mark: 'diagnosed' }],
    [300, { type: 'probe-result', probe: 'checkout-ready', probeType: 'k8s', ok: true, detail: '3/3 ready' }],
    [320, { type: 'mark', mark: 'mitigated' }],
    [330, { type: 'mark', mark: 'note', text: 'PDB would not have helped' }],
    [400, { type: 'debrief', answers: { wentWell: 'calm', hard: 'events are noisy', gaps: 'no alert', actionItems: ['alert on ready < desired @sam', 'write PDB guide'] } }],
    [401, { type: 'drill-ended', reason: 'completed', detail: 'ended by the facilitator' }],
  ]);

