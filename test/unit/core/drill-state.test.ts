import { describe, expect, it } from 'vitest';
import { activeFaults, foldDrill, isOpen, markOffsetMs, revertableFaults, type FaultStatus } from '../../../src/core/drill-state.js';
import type { DrillEvent, DrillEventBody, FaultRecord } from '../../../src/core/events.js';

const T0 = Date.parse('2026-11-25T14:00:00Z');
/** Events with seq and time assigned in order, one second apart. */
const journal = (...bodies: DrillEventBody[]): DrillEvent[] => bodies.map((b, i) => ({ v: 1, drillId: 'd1', at: new Date(T0 + i * 1000).toISOString(), seq: i + 1, ...b }) as DrillEvent);
const rec = (faultId: string, reversible = true): FaultRecord => ({ faultId, kind: reversible ? 'test.marker' : 'k8s.pod-kill', target: `target ${faultId}`, reversible, deadline: T0 + 600_000, undo: { path: `/tmp/${faultId}` } });
const started: DrillEventBody = { type: 'drill-started', mode: 'adhoc', env: 'lab', pid: 42, host: 'h', title: 'ad-hoc', timeLimitMs: 1_800_000 };
const intent = (id: string, reversible = true): DrillEventBody => ({ type: 'fault-intent', record: rec(id, reversible) });
const injected = (id: string): DrillEventBody => ({ type: 'fault-injected', faultId: id });
const ended: DrillEventBody = { type: 'drill-ended', reason: 'completed' };

const statusOf = (events: DrillEvent[], id = 'f1'): FaultStatus | undefined => foldDrill('d1', events).faults.get(id)?.status;
const revertable = (events: DrillEvent[]) => revertableFaults(foldDrill('d1', events)).map((f) => f.record.faultId);

describe('fault status and what halt/recover must revert', () => {
  it.each<[string, DrillEventBody[], FaultStatus, boolean]>([
    ['intent without outcome (crash mid-call): revertable', [started, intent('f1')], 'intended', true],
    ['injected reversible fault: active, revertable', [started, intent('f1'), injected('f1')], 'active', true],
    ['one-shot fault done: nothing to revert', [started, intent('f1', false), injected('f1')], 'done', false],
    ['one-shot intent without outcome: not revertable (nothing to undo)', [started, intent('f1', false)], 'intended', false],
    ['clean refusal: failed, not revertable', [started, intent('f1'), { type: 'fault-inject-failed', faultId: 'f1', error: 'forbidden', maybeApplied: false }], 'failed', false],
    ['failure that may have half-applied: stays revertable', [started, intent('f1'), { type: 'fault-inject-failed', faultId: 'f1', error: 'timeout', maybeApplied: true }], 'active', true],
    ['one-shot failure that may have applied: failed', [started, intent('f1', false), { type: 'fault-inject-failed', faultId: 'f1', error: 'timeout', maybeApplied: true }], 'failed', false],
    ['revert started, never finished: revertable', [started, intent('f1'), injected('f1'), { type: 'fault-revert-started', faultId: 'f1', reason: 'halt' }], 'reverting', true],
    ['reverted: clean', [started, intent('f1'), injected('f1'), { type: 'fault-revert-started', faultId: 'f1', reason: 'deadline' }, { type: 'fault-reverted', faultId: 'f1', outcome: 'reverted' }], 'reverted', false],
    ['revert failed: stays revertable', [started, intent('f1'), injected('f1'), { type: 'fault-revert-failed', faultId: 'f1', error: 'throttled' }], 'revert-failed', true],
    ['a failed retry after a successful revert does not resurrect it', [started, intent('f1'), injected('f1'), { type: 'fault-reverted', faultId: 'f1', outcome: 'reverted' }, { type: 'fault-revert-failed', faultId: 'f1', error: 'x' }], 'reverted', false],
    ['revert-started after reverted (a second halt) keeps it reverted', [started, intent('f1'), injected('f1'), { type: 'fault-reverted', faultId: 'f1', outcome: 'reverted' }, { type: 'fault-revert-started', faultId: 'f1', reason: 'halt' }], 'reverted', false],
    ['reverted before the outcome was journaled (crash, then halt)', [started, intent('f1'), { type: 'fault-reverted', faultId: 'f1', outcome: 'already-reverted' }], 'reverted', false],
    ['a late injected after a revert does not reactivate', [started, intent('f1'), { type: 'fault-reverted', faultId: 'f1', outcome: 'reverted' }, injected('f1')], 'reverted', false],
  ])('%s', (_name, bodies, status, isRevertable) => {
    const events = journal(...bodies);
    expect(statusOf(events)).toBe(status);
    expect(revertable(events)).toEqual(isRevertable ? ['f1'] : []);
  });

  it('events about a fault without an intent are ignored (the intent is the anchor)', () => {
    const s = foldDrill('d1', journal(started, injected('ghost'), { type: 'fault-reverted', faultId: 'ghost', outcome: 'reverted' }));
    expect(s.faults.size).toBe(0);
    expect(s.eventCount).toBe(3);
  });

  it('several faults are tracked apart; activeFaults also lists one-shot intents in flight', () => {
    const s = foldDrill('d1', journal(started, intent('a'), injected('a'), intent('b'), intent('c', false), intent('d'), injected('d'), { type: 'fault-reverted', faultId: 'd', outcome: 'reverted' }));
    expect([...s.faults.values()].map((f) => [f.record.faultId, f.status])).toEqual([
      ['a', 'active'],
      ['b', 'intended'],
      ['c', 'intended'],
      ['d', 'reverted'],
    ]);
    expect(revertableFaults(s).map((f) => f.record.faultId)).toEqual(['a', 'b']);
    expect(activeFaults(s).map((f) => f.record.faultId)).toEqual(['a', 'b', 'c']);
  });

  it('keeps the undo data, times, errors, observations and verifications', () => {
    const s = foldDrill('d1', journal(started, intent('f1'), injected('f1'), { type: 'fault-verified', faultId: 'f1', phase: 'injected', ok: true, detail: 'marker present' }, { type: 'fault-observed', faultId: 'f1', detail: { readyAfterMs: 4200 } }, { type: 'fault-revert-failed', faultId: 'f1', error: 'busy' }, { type: 'fault-reverted', faultId: 'f1', outcome: 'reverted' }, { type: 'fault-reverted', faultId: 'f1', outcome: 'already-reverted' }));
    const f = s.faults.get('f1')!;
    expect(f.record.undo).toEqual({ path: '/tmp/f1' });
    expect(f.intendedAt).toBe('2026-11-25T14:00:01.000Z');
    expect(f.injectedAt).toBe('2026-11-25T14:00:02.000Z');
    expect(f.revertedAt).toBe('2026-11-25T14:00:06.000Z'); // the first revert, not the repeat
    expect(f.lastError).toBe('busy');
    expect(f.observations).toEqual([{ readyAfterMs: 4200 }]);
    expect(f.verified).toEqual([{ phase: 'injected', ok: true, detail: 'marker present' }]);
  });
});

describe('drill lifecycle', () => {
  it('started → open; ended with nothing to revert → closed; ended with a fault left → still open', () => {
    expect(isOpen(foldDrill('d1', journal(started)))).toBe(true);
    expect(isOpen(foldDrill('d1', journal(started, intent('f1'), injected('f1'), { type: 'fault-reverted', faultId: 'f1', outcome: 'reverted' }, ended)))).toBe(false);
    expect(isOpen(foldDrill('d1', journal(started, intent('f1'), injected('f1'), { type: 'drill-ended', reason: 'failed' })))).toBe(true);
    expect(isOpen(foldDrill('d1', journal(started, intent('f1', false), injected('f1'), ended)))).toBe(false);
  });

  it('records the start, the end and the bookkeeping', () => {
    const s = foldDrill('d1', journal(started, { type: 'preflight', ok: true, checks: [] }, { type: 'reaper-started', pid: 7, deadline: 123 }, { type: 'debrief', answers: { went: 'well' } }, { type: 'drill-ended', reason: 'interrupted', detail: 'Ctrl-C' }));
    expect(s).toMatchObject({ mode: 'adhoc', env: 'lab', pid: 42, host: 'h', startedAt: '2026-11-25T14:00:00.000Z', timeLimitMs: 1_800_000, preflightOk: true, reaper: { pid: 7, deadline: 123 }, debrief: { went: 'well' }, endedAt: '2026-11-25T14:00:04.000Z', endReason: 'interrupted', lastSeq: 5, eventCount: 5 });
  });

  it('lastSeq is the highest seq even when lines arrive out of order (two writers)', () => {
    const [a, b, c] = journal(started, intent('f1'), injected('f1'));
    expect(foldDrill('d1', [a!, c!, b!]).lastSeq).toBe(3);
  });

  it('an empty journal folds to an empty, open state', () => {
    const s = foldDrill('d1', []);
    expect(s).toMatchObject({ drillId: 'd1', lastSeq: 0, eventCount: 0, marks: [], hints: [] });
    expect(s.faults.size).toBe(0);
    expect(isOpen(s)).toBe(true);
  });
});

describe('probes', () => {
  const probe = (ok: boolean, detail?: string): DrillEventBody => ({ type: 'probe-result', probe: 'checkout', probeType: 'http', ok, detail });

  it('records only changes of ok, and the time of the latest change', () => {
    const s = foldDrill('d1', journal(started, probe(true, '200'), probe(true, '200 again'), probe(false, '503'), probe(false, 'still 503'), probe(true, '200')));
    const p = s.probes.get('checkout')!;
    expect(p.changes).toEqual([
      { at: '2026-11-25T14:00:01.000Z', ok: true, detail: '200' },
      { at: '2026-11-25T14:00:03.000Z', ok: false, detail: '503' },
      { at: '2026-11-25T14:00:05.000Z', ok: true, detail: '200' },
    ]);
    expect(p).toMatchObject({ ok: true, since: '2026-11-25T14:00:05.000Z', detail: '200' });
  });

  it('an unchanged result updates the detail but not since', () => {
    const p = foldDrill('d1', journal(started, probe(false, 'a'), probe(false, 'b'))).probes.get('checkout')!;
    expect(p).toMatchObject({ ok: false, since: '2026-11-25T14:00:01.000Z', detail: 'b' });
    expect(p.changes).toHaveLength(1);
  });

  it('probes are tracked by name', () => {
    const s = foldDrill('d1', journal(started, probe(true), { type: 'probe-result', probe: 'db', probeType: 'rds', ok: false }));
    expect([...s.probes.keys()]).toEqual(['checkout', 'db']);
  });
});

describe('hints and marks', () => {
  it('a hint revealed twice (timer and facilitator, or two writers) is kept once, first reveal wins', () => {
    const s = foldDrill('d1', journal(started, { type: 'hint-revealed', index: 0, text: 'pods?', trigger: 'timed' }, { type: 'hint-revealed', index: 1, text: 'probe?', trigger: 'manual' }, { type: 'hint-revealed', index: 0, text: 'pods?', trigger: 'manual' }));
    expect(s.hints).toEqual([
      { index: 0, text: 'pods?', at: '2026-11-25T14:00:01.000Z', trigger: 'timed' },
      { index: 1, text: 'probe?', at: '2026-11-25T14:00:02.000Z', trigger: 'manual' },
    ]);
  });

  it('marks are kept in order; markOffsetMs measures the first of a kind from the start', () => {
    const s = foldDrill('d1', journal(started, { type: 'mark', mark: 'note', text: 'coffee' }, { type: 'mark', mark: 'detected' }, { type: 'mark', mark: 'detected', text: 'again' }));
    expect(s.marks.map((m) => m.mark)).toEqual(['note', 'detected', 'detected']);
    expect(markOffsetMs(s, 'detected')).toBe(2000);
    expect(markOffsetMs(s, 'mitigated')).toBeUndefined();
    expect(markOffsetMs(foldDrill('d1', journal({ type: 'mark', mark: 'detected' })), 'detected')).toBeUndefined(); // no start
  });
});
