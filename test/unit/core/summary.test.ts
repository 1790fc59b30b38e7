import { describe, expect, it } from 'vitest';
import { credit, parseActionItem, score, splitActionItems, summarize, type Measure } from '../../../src/core/summary.js';
import { sampleJournal } from '../../helpers/sample-journal.js';

describe('scoring', () => {
  it.each([
    [undefined, 60_000, 0],
    [30_000, 60_000, 1],
    [60_000, 60_000, 1],
    [90_000, 60_000, 0.5],
    [120_000, 60_000, 0],
    [500_000, 60_000, 0],
  ])('credit(%s, %s) = %s', (ms, objective, want) => {
    expect(credit(ms, objective)).toBeCloseTo(want);
  });
  it('score = 100 × mean credit of applicable objectives − 5 per hint, never below 0', () => {
    const m = (credit: number, applicable = true, objectiveMs: number | null = 1): Measure => ({ key: 'detect', label: '', applicable, objectiveMs: objectiveMs ?? undefined, credit });
    expect(score([m(1), m(0.5)], 0)).toBe(75);
    expect(score([m(1), m(0.5)], 2)).toBe(65);
    expect(score([m(1), m(0, false)], 0)).toBe(100); // not applicable: not counted
    expect(score([m(0, true, null)], 1)).toBe(95); // no objective: not counted
    expect(score([], 0)).toBe(100);
    expect(score([m(0)], 3)).toBe(0);
  });
  it('action items carry their owners', () => {
    expect(parseActionItem('alert on pending pods @sam')).toEqual({ task: 'alert on pending pods', owner: 'sam' });
    expect(parseActionItem('write the guide owner: kim')).toEqual({ task: 'write the guide', owner: 'kim' });
    expect(parseActionItem('nobody owns this')).toEqual({ task: 'nobody owns this' });
    expect(splitActionItems('a @x; b @y\nc')).toEqual(['a @x', 'b @y', 'c']);
  });
});

describe('summarize', () => {
  it('measures from the first injected fault, against the objectives', () => {
    const s = summarize(sampleJournal());
    const by = Object.fromEntries(s.measures.map((m) => [m.key, m]));
    expect(s.t0).toBe('2026-11-25T10:00:20.000Z');
    expect(by.detect).toMatchObject({ ms: 120_000, objectiveMs: 180_000, met: true, credit: 1 });
    expect(by.diagnose).toMatchObject({ ms: 240_000, met: true });
    expect(by.mitigate).toMatchObject({ ms: 300_000, met: true });
    expect(by.recover).toMatchObject({ ms: 280_000, objectiveMs: 300_000, met: true });
    expect(s.hintsUsed).toBe(1);
    expect(s.score).toBe(95);
    expect(s.passed).toBe(true);
    expect(s.steadyAtEnd).toBe(true);
    expect(s.debrief?.actionItems).toEqual([{ task: 'alert on ready < desired', owner: 'sam' }, { task: 'write PDB guide' }]);
    expect(s.timeline.map((t) => t.kind)).toEqual(['start', 'preflight', 'probe', 'fault', 'probe', 'fault', 'hint', 'mark', 'mark', 'probe', 'mark', 'mark', 'debrief', 'end']);
    expect(s.timeline.find((t) => t.kind === 'fault')!.offsetMs).toBe(0);
    expect(s.timeline.map((t) => t.text)).toContain('Recovery evidence: pod shop/checkout-a replaced by shop/checkout-b, Ready 3s after the kill');
  });
  it('a missed objective fails the drill and costs credit; unmarked is a miss', () => {
    const events = sampleJournal().filter((e) => !(e.type === 'mark' && e.mark === 'diagnosed'));
    const late = events.map((e) => (e.type === 'mark' && e.mark === 'detected' ? { ...e, at: '2026-11-25T10:04:50.000Z' } : e)); // 270 s: 1.5× the objective
    const s = summarize(late);
    const by = Object.fromEntries(s.measures.map((m) => [m.key, m]));
    expect(by.detect).toMatchObject({ ms: 270_000, met: false, credit: 0.5 });
    expect(by.diagnose).toMatchObject({ met: false, credit: 0, note: 'not marked' });
    expect(by.diagnose!.ms).toBeUndefined();
    expect(s.passed).toBe(false);
    expect(s.score).toBe(Math.round((100 * (0.5 + 0 + 1 + 1)) / 4 - 5));
  });
  it('unattended: only recovery applies; an interrupted drill never passes', () => {
    const s = summarize(sampleJournal('unattended'));
    expect(s.measures.filter((m) => m.applicable).map((m) => m.key)).toEqual(['recover']);
    const cut = sampleJournal().map((e) => (e.type === 'drill-ended' ? { ...e, reason: 'interrupted' as const } : e));
    expect(summarize(cut).passed).toBe(false);
  });
  it('a probe that sees the fault break things before its injection is journaled counts: the break is from the fault\'s intent on', () => {
    // the delete's answer journaled 3 s after the intent, the probe's watch saw the pod go at +2 s
    const slow = sampleJournal().map((e) => (e.type === 'fault-injected' ? { ...e, at: '2026-11-25T10:00:23.000Z' } : e));
    const s = summarize(slow);
    expect(s.t0).toBe('2026-11-25T10:00:23.000Z');
    expect(s.measures.find((m) => m.key === 'recover')).toMatchObject({ ms: 277_000, met: true });
    expect(s.measures.find((m) => m.key === 'recover')!.note).toBeUndefined();
  });
  it('steady state that never broke counts as recovered at once; one still broken at the end does not', () => {
    const never = sampleJournal().filter((e) => !(e.type === 'probe-result' && e.seq > 3));
    expect(summarize(never).measures.find((m) => m.key === 'recover')).toMatchObject({ ms: 0, met: true, note: 'steady state never broke' });
    const stuck = sampleJournal().filter((e) => !(e.type === 'probe-result' && e.detail === '3/3 ready' && e.seq > 3));
    const rec = summarize(stuck).measures.find((m) => m.key === 'recover')!;
    expect(rec).toMatchObject({ met: false, note: 'steady state not restored' });
    expect(rec.ms).toBeUndefined();
    expect(summarize(stuck).steadyAtEnd).toBe(false);
  });
});
