import { describe, expect, it } from 'vitest';
import { formatFromFile, parseFormat, renderReport } from '../../../src/report/index.js';
import { sampleJournal } from '../../helpers/sample-journal.js';

describe('report renderers', () => {
  const events = sampleJournal();

  it('markdown: result, objectives table, timeline, debrief with owners', () => {
    const md = renderReport(events, 'md');
    expect(md).toContain('# Game day report: Checkout pods vanish');
    expect(md).toContain('**Result:** PASSED — score **95/100**');
    expect(md).toContain('| Time to detect | 2m00s | 3m00s | met |');
    expect(md).toContain('| Time to recover | 4m40s | 5m00s | met |');
    expect(md).toContain('| +0ms | Fault injected: pod shop/checkout-a |');
    expect(md).toContain('- [ ] alert on ready < desired — owner: **sam**');
    expect(md).toContain('- [ ] write PDB guide — owner: _unassigned_');
  });

  it('a drill that did not complete says so instead of "objectives not met"', () => {
    const cut = events.map((e) => (e.type === 'drill-ended' ? { ...e, reason: 'interrupted' as const } : e));
    expect(renderReport(cut, 'md')).toContain('**Result:** did not complete (interrupted)');
    expect(renderReport(cut, 'html')).toContain('Did not complete (interrupted)');
  });

  it('html: one self-contained file, plain words, escaped text', () => {
    const withScript = events.map((e) => (e.type === 'mark' && e.mark === 'note' ? { ...e, text: '<script>alert(1)</script>' } : e));
    const html = renderReport(withScript, 'html');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('The team noticed the problem after 2m00s — the goal was 3m00s.');
    expect(html).toContain('After 4m40s, the service was healthy again — the goal was 5m00s.');
    expect(html).toContain('Objectives met');
    expect(html).toMatch(/<td>alert on ready &lt; desired<\/td><td>sam<\/td>/);
  });

  it('json: the summary, versioned', () => {
    const j = JSON.parse(renderReport(events, 'json'));
    expect(j).toMatchObject({ reportVersion: 1, drillId: 'd1', score: 95, passed: true, hintsUsed: 1 });
    expect(j.measures).toHaveLength(4);
  });

  it('junit: one case per objective plus completion; misses are failures, n/a are skipped', () => {
    const ok = renderReport(events, 'junit');
    expect(ok).toContain('<testsuites name="gameday" tests="5" failures="0" skipped="0">');
    const unattended = renderReport(sampleJournal('unattended'), 'junit');
    expect(unattended).toContain('skipped="3"');
    const late = events.filter((e) => !(e.type === 'mark' && e.mark === 'detected'));
    const failed = renderReport(late, 'junit');
    expect(failed).toContain('failures="1"');
    expect(failed).toMatch(/<testcase classname="gameday.checkout-pod-kill" name="Time to detect within 3m00s" time="0.000">\s*<failure message="missed: not marked \(objective 3m00s\)"\/>/);
  });

  it('formats by name and by file extension', () => {
    expect(parseFormat('markdown')).toBe('md');
    expect(parseFormat('xml')).toBe('junit');
    expect(() => parseFormat('pdf')).toThrow(/unknown report format/);
    expect(formatFromFile('out/report.html')).toBe('html');
    expect(formatFromFile('junit.xml')).toBe('junit');
    expect(() => formatFromFile('report')).toThrow(/cannot tell the report format/);
  });
});
