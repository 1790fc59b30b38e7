/** The HTML report's timeline: one marker per journal event of the kinds it draws, on one time axis. */
import { describe, expect, it } from 'vitest';
import { summarize } from '../../../src/core/summary.js';
import { renderHtml } from '../../../src/report/html.js';
import { timelineSvg } from '../../../src/report/timeline-svg.js';
import { journal } from '../../helpers/sample-journal.js';

const twoFaults = () =>
  journal([
    [0, { type: 'drill-started', mode: 'facilitated', env: 'sandbox', scenario: 'two-faults', title: 'Pods and DNS', pid: 1, host: 'h', objectives: { detectWithin: 120_000, recoverWithin: 600_000 }, hintCount: 3 }],
    [1, { type: 'preflight', ok: true, checks: [] }],
    [2, { type: 'probe-result', probe: 'checkout', probeType: 'http', ok: true }],
    [2, { type: 'probe-result', probe: 'dns', probeType: 'tcp', ok: true }],
    [10, { type: 'fault-intent', record: { faultId: 'f1-a', kind: 'k8s.pod-kill', target: 'pod shop/checkout-a', reversible: false, undo: {} } }],
    [10, { type: 'fault-injected', faultId: 'f1-a' }],
    [12, { type: 'probe-result', probe: 'checkout', probeType: 'http', ok: false, detail: 'HTTP 503' }],
    [60, { type: 'hint-revealed', index: 0, text: 'look at the pods', trigger: 'timed' }],
    [90, { type: 'mark', mark: 'detected' }],
    [130, { type: 'probe-result', probe: 'checkout', probeType: 'http', ok: true }],
    [190, { type: 'fault-intent', record: { faultId: 'f2-nodes', kind: 'node.iptables', target: 'nodes sandbox-real-1', reversible: true, deadline: 1, undo: {} } }],
    [190, { type: 'fault-injected', faultId: 'f2-nodes' }],
    [195, { type: 'probe-result', probe: 'dns', probeType: 'tcp', ok: false, detail: 'timed out' }],
    [240, { type: 'hint-revealed', index: 1, text: 'can the nodes resolve names?', trigger: 'manual' }],
    [300, { type: 'mark', mark: 'diagnosed' }],
    [320, { type: 'fault-revert-started', faultId: 'f2-nodes', reason: 'facilitator' }],
    [321, { type: 'fault-reverted', faultId: 'f2-nodes', outcome: 'reverted' }],
    [325, { type: 'probe-result', probe: 'dns', probeType: 'tcp', ok: true }],
    [330, { type: 'mark', mark: 'mitigated' }],
    [400, { type: 'drill-ended', reason: 'completed' }],
  ]);

const count = (svg: string, event: string) => svg.split(`data-event="${event}"`).length - 1;

describe('the report timeline (SVG)', () => {
  it('draws one marker per fault injected, probe result, hint and mark of a drill with two faults, and one line per objective', () => {
    const events = twoFaults();
    const svg = timelineSvg(summarize(events));
    for (const kind of ['fault-injected', 'probe-result', 'hint-revealed', 'mark'] as const) {
      expect(count(svg, kind), kind).toBe(events.filter((e) => e.type === kind).length);
    }
    expect(svg.split('data-objective=').length - 1).toBe(2);
    expect(svg).toContain('data-objective="detect"');
  });

  it('places events by time: a later event sits further right, the failure began at one line', () => {
    const svg = timelineSvg(summarize(twoFaults()));
    const xs = [...svg.matchAll(/data-event="hint-revealed" d="M([\d.]+) /g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(2);
    expect(xs[1]!).toBeGreaterThan(xs[0]!);
    const faults = [...svg.matchAll(/data-event="fault-injected" x="([\d.]+)" y="\d+" width="([\d.]+)"/g)].map((m) => ({ x: Number(m[1]), w: Number(m[2]) }));
    expect(faults[1]!.x).toBeGreaterThan(faults[0]!.x);
    expect(svg).toContain('<title>the failure began</title>');
  });

  it('is self-contained and escapes what users wrote', () => {
    const events = twoFaults().map((e) => (e.type === 'hint-revealed' ? { ...e, text: '<script>alert(1)</script> & "quotes"' } : e));
    const html = renderHtml(summarize(events));
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
  });
});
