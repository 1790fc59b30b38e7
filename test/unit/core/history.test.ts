import { describe, expect, it } from 'vitest';
import type { DrillEventBody } from '../../../src/core/events.js';
import { actionItems, history, itemsByScenario, openActionItems, pickItems, trends } from '../../../src/core/history.js';
import { summarize } from '../../../src/core/summary.js';
import { journal } from '../../helpers/sample-journal.js';

/** A facilitated checkout drill whose team detected after `detectS` and mitigated after `mitigateS` (seconds from the kill). */
function drill(id: string, day: number, detectS: number, mitigateS: number, opts: { end?: 'completed' | 'interrupted'; mode?: 'facilitated' | 'adhoc'; items?: string[]; closed?: string[]; scenario?: string; env?: string } = {}) {
  const lines: [number, DrillEventBody][] = [
    [0, { type: 'drill-started', mode: opts.mode ?? 'facilitated', env: opts.env ?? 'staging', ...(opts.mode === 'adhoc' ? {} : { scenario: opts.scenario ?? 'checkout-pod-kill' }), title: 't', pid: 1, host: 'h', objectives: { detectWithin: 180_000, mitigateWithin: 600_000 } }],
    [10, { type: 'fault-intent', record: { faultId: 'f1', kind: 'k8s.pod-kill', target: 'pod shop/a', reversible: false, undo: {} } }],
    [10, { type: 'fault-injected', faultId: 'f1' }],
    [10 + detectS, { type: 'mark', mark: 'detected' }],
    [10 + mitigateS, { type: 'mark', mark: 'mitigated' }],
  ];
  if (opts.items || opts.closed) lines.push([10 + mitigateS + 1, { type: 'debrief', answers: { actionItems: opts.items ?? [], ...(opts.closed ? { closedItems: opts.closed } : {}) } }]);
  lines.push([10 + mitigateS + 2, { type: 'drill-ended', reason: opts.end ?? 'completed' }]);
  // each drill on its own day, so the order is the calendar's, not the file names'
  return summarize(journal(lines, id).map((e) => ({ ...e, at: new Date(Date.parse(e.at) + day * 86_400_000).toISOString() })));
}

describe('history', () => {
  const summaries = [
    drill('c-third', 14, 60, 200, { items: ['alert on Pending pods @sam'] }),
    drill('a-first', 0, 240, 500, { items: ['write the PDB guide'] }),
    drill('b-second', 7, 120, 400, { end: 'interrupted' }),
    drill('z-adhoc', 3, 1, 2, { mode: 'adhoc' }),
    drill('d-db', 10, 30, 90, { scenario: 'db-failover', env: 'sandbox' }),
  ];

  it('one row per drill, oldest first, ad-hoc injects left out unless asked for', () => {
    const rows = history(summaries);
    expect(rows.map((r) => r.drillId)).toEqual(['a-first', 'b-second', 'd-db', 'c-third']);
    expect(history(summaries, { includeAdhoc: true }).map((r) => r.drillId)).toContain('z-adhoc');
    expect(rows[0]).toMatchObject({ scenario: 'checkout-pod-kill', env: 'staging', mode: 'facilitated', outcome: 'missed', times: { detect: 240_000, mitigate: 500_000 } });
    expect(rows[1]).toMatchObject({ outcome: 'not completed', endReason: 'interrupted' });
    expect(rows[3]).toMatchObject({ outcome: 'passed', score: 100, times: { detect: 60_000, mitigate: 200_000 } });
  });

  it('filters by scenario and environment', () => {
    expect(history(summaries, { scenario: 'db-failover' }).map((r) => r.drillId)).toEqual(['d-db']);
    expect(history(summaries, { env: 'staging' }).map((r) => r.drillId)).toEqual(['a-first', 'b-second', 'c-third']);
  });

  it('trends: per scenario and measure over completed drills only — first, last, best; none from a single drill', () => {
    expect(trends(history(summaries))).toEqual([
      { scenario: 'checkout-pod-kill', drills: 2, measure: 'detect', firstMs: 240_000, lastMs: 60_000, bestMs: 60_000 },
      { scenario: 'checkout-pod-kill', drills: 2, measure: 'mitigate', firstMs: 500_000, lastMs: 200_000, bestMs: 200_000 },
    ]);
  });

  it('action items of every debrief, newest drill first, owners kept', () => {
    expect(actionItems(history(summaries))).toEqual([
      { task: 'alert on Pending pods', owner: 'sam', drillId: 'c-third', scenario: 'checkout-pod-kill', startedAt: '2026-12-09T10:00:00.000Z' },
      { task: 'write the PDB guide', drillId: 'a-first', scenario: 'checkout-pod-kill', startedAt: '2026-11-25T10:00:00.000Z' },
    ]);
  });

  it('a drill still running says so', () => {
    const running = summarize(journal([[0, { type: 'drill-started', mode: 'unattended', env: 'e', scenario: 's', pid: 1, host: 'h' }]], 'r'));
    expect(history([running])[0]).toMatchObject({ outcome: 'running', score: expect.any(Number) });
  });
});

describe('action items across drills', () => {
  const summaries = [
    drill('a-first', 0, 60, 200, { items: ['alert on Pending pods @sam', 'write the PDB guide'] }),
    drill('b-db', 3, 60, 200, { scenario: 'db-failover', items: ['write the PDB guide @kim'] }),
    // a later checkout drill closes one item (spelled a little differently) and raises another
    drill('c-second', 7, 60, 200, { items: ['page the on-call @ada'], closed: ['Write the  PDB guide.'] }),
    // closing what another scenario raised, or what is already closed, changes nothing
    drill('d-db-again', 10, 60, 200, { scenario: 'db-failover', closed: ['alert on Pending pods'] }),
  ];
  const items = actionItems(history(summaries));

  it('an item is closed by the later debrief of the same scenario that said it is done, and only that one', () => {
    expect(items.map((i) => [i.drillId, i.task, i.owner, i.closedBy?.drillId])).toEqual([
      ['c-second', 'page the on-call', 'ada', undefined],
      ['b-db', 'write the PDB guide', 'kim', undefined],
      ['a-first', 'alert on Pending pods', 'sam', undefined],
      ['a-first', 'write the PDB guide', undefined, 'c-second'],
    ]);
    expect(items.at(-1)!.closedBy).toEqual({ drillId: 'c-second', startedAt: '2026-12-02T10:00:00.000Z' });
  });

  it("a drill's own debrief cannot close the items it raises; a repeated item is closed oldest first", () => {
    const same = actionItems(history([drill('x', 0, 1, 2, { items: ['fix it'], closed: ['fix it'] }), drill('y', 1, 1, 2, { items: ['fix it'] }), drill('z', 2, 1, 2, { closed: ['fix it'] })]));
    expect(same.map((i) => [i.drillId, i.closedBy?.drillId])).toEqual([['y', undefined], ['x', 'z']]);
  });

  it('per scenario: open first, then closed; the open ones of a scenario oldest first for the next debrief', () => {
    expect(itemsByScenario(items).map((g) => [g.scenario, g.open.map((i) => i.task), g.closed.map((i) => i.task)])).toEqual([
      ['checkout-pod-kill', ['page the on-call', 'alert on Pending pods'], ['write the PDB guide']],
      ['db-failover', ['write the PDB guide'], []],
    ]);
    expect(openActionItems(history(summaries), 'checkout-pod-kill').map((i) => i.task)).toEqual(['alert on Pending pods', 'page the on-call']);
  });

  it('the debrief answer "1, 3" picks items by number; anything else is ignored', () => {
    const open = [{ task: 'a' }, { task: 'b' }, { task: 'c' }];
    expect(pickItems('3, 1', open)).toEqual(['a', 'c']);
    expect(pickItems('1;1 2', open)).toEqual(['a', 'b']);
    expect(pickItems('', open)).toEqual([]);
    expect(pickItems('0 4 x 2.5 -1', open)).toEqual([]);
  });
});
