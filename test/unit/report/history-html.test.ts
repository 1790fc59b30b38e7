/** `gameday history --format html`: a chart per scenario and measure, objectives as lines, action items with owners. */
import { describe, expect, it } from 'vitest';
import { actionItems, history } from '../../../src/core/history.js';
import { summarize } from '../../../src/core/summary.js';
import { renderHistoryHtml, trendChart } from '../../../src/report/history-html.js';
import { recordedEvents } from '../../helpers/recorded-drill.js';

/** Three Wednesdays of the recorded drill, the team a little faster each time (every time shifted by `k` minutes). */
function season() {
  return [0, 1, 2].map((k) => {
    const start = Date.parse(`2026-11-${String(4 + 7 * k).padStart(2, '0')}T14:00:00Z`);
    const events = recordedEvents(`2026110${k}-140000-shop-outage-000${k}`, start).map((e) => (e.type === 'mark' ? { ...e, at: new Date(Date.parse(e.at) - k * 60_000).toISOString() } : e));
    return summarize(events);
  });
}

describe('history as HTML', () => {
  it('draws one point per drill for each measure, and each objective as a dashed line', () => {
    const rows = history(season());
    const svg = trendChart(rows, 'detect');
    expect(svg.split('<circle').length - 1).toBe(3);
    expect(svg).toContain('data-objective="detect"');
    expect(svg).toContain('stroke-dasharray');
    const ys = [...svg.matchAll(/<circle [^>]*cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys[2]!).toBeGreaterThan(ys[0]!); // faster: a shorter time sits lower on the chart (a larger y)
  });

  it('is one self-contained page: a section per scenario, four charts, the action items with owners', () => {
    const rows = history(season());
    const html = renderHistoryHtml(rows, actionItems(rows));
    expect(html.match(/<section>/g)).toHaveLength(1);
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toContain('alert on front door 5xx');
    expect(html).toContain('<td>sam</td>');
    expect(html).not.toMatch(/<script|\b(src|href)="(https?:)?\/\//);
  });

  it('a measure never taken: the objective alone, or "not measured" without one', () => {
    const unmarked = history([summarize(recordedEvents().filter((e) => e.type !== 'mark'))]);
    expect(trendChart(unmarked, 'diagnose')).not.toContain('<circle');
    expect(trendChart(unmarked, 'diagnose')).toContain('data-objective="diagnose"');
    const noGoal = history([summarize(recordedEvents().filter((e) => e.type !== 'mark').map((e) => (e.type === 'drill-started' ? { ...e, objectives: {} } : e)))]);
    expect(trendChart(noGoal, 'diagnose')).toContain('not measured');
  });

  it('action items per scenario: open ones with their owners, and those a later debrief closed, with when', () => {
    const [first, second, third] = season();
    const closing = (s: typeof third) => ({ ...s!, debrief: { ...s!.debrief!, actionItems: [], closedItems: ['alert on front door 5xx'] } });
    const rows = history([first!, second!, closing(third)]);
    const html = renderHistoryHtml(rows, actionItems(rows));
    // the first drill's item is closed by the third; the second drill raised the same item again, still open
    expect(html.match(/<tr class="closed">/g)).toHaveLength(1);
    expect(html).toMatch(/<tr class="closed"><td>shop-outage<\/td><td><span class="pill ok" title="20261102-140000-shop-outage-0002">closed 2026-11-18<\/span><\/td><td>alert on front door 5xx<\/td><td>sam<\/td><td title="20261100-140000-shop-outage-0000">2026-11-04<\/td><\/tr>/);
    expect(html).toMatch(/<tr class="open"><td>shop-outage<\/td><td><span class="pill bad">open<\/span><\/td><td>alert on front door 5xx<\/td><td>sam<\/td><td title="20261101-140000-shop-outage-0001">2026-11-11<\/td><\/tr>/);
  });
});
