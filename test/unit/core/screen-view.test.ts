/**
 * What the room's screen may show (core/screen-view.ts), at every prefix of a recorded drill: the
 * whole view the page receives is checked as JSON, so nothing kept back can reach the players by
 * another field than the one the browser test looks at.
 */
import { describe, expect, it } from 'vitest';
import { foldDrill } from '../../../src/core/drill-state.js';
import { screenView, waitingView } from '../../../src/core/screen-view.js';
import { BRIEFING, HINTS, KINDS, NOTE, recordedEvents, SECRETS, TARGETS } from '../../helpers/recorded-drill.js';

const events = recordedEvents();
const at = (e: { at: string }) => Date.parse(e.at);
const viewAfter = (n: number, extra = {}) => {
  const prefix = events.slice(0, n);
  return screenView(prefix, foldDrill(prefix[0]!.drillId, prefix), at(prefix[prefix.length - 1]!) + 1000, extra);
};

describe('the room screen view', () => {
  it('never holds a secret, and no fault kind or target before the drill ends (every prefix of the journal)', () => {
    for (let n = 1; n <= events.length; n++) {
      const json = JSON.stringify(viewAfter(n, { briefing: BRIEFING }));
      const last = events[n - 1]!;
      for (const s of SECRETS) expect(json, `after ${last.type} (#${n})`).not.toContain(s);
      const ended = events.slice(0, n).some((e) => e.type === 'drill-ended');
      for (const t of [...TARGETS, ...KINDS, 'shop/checkout-b8e1']) {
        if (ended) continue;
        expect(json, `after ${last.type} (#${n}) it names ${t}`).not.toContain(t);
      }
    }
  });

  it('shows the revealed hints, in order, with when', () => {
    const v = viewAfter(events.findIndex((e) => e.type === 'hint-revealed' && e.index === 1) + 1);
    expect(v.hints.map((h) => [h.number, h.text])).toEqual([
      [1, HINTS[0]],
      [2, HINTS[1]],
    ]);
    expect(v.hints[0]!.atMs).toBe(140_000); // 150 s after the start, the fault at 10 s
    expect(v.hintCount).toBe(3);
  });

  it('goes from briefing to live at the first fault, counts the clock from it, and freezes it at the end', () => {
    const beforeFault = viewAfter(3);
    expect(beforeFault.phase).toBe('briefing');
    expect(beforeFault.clock.running).toBe(false);
    const live = viewAfter(events.findIndex((e) => e.type === 'fault-injected') + 1);
    expect(live.phase).toBe('live');
    expect(live.clock).toMatchObject({ ms: 1000, running: true, limitMs: 30 * 60_000 });
    const ended = viewAfter(events.length);
    expect(ended.phase).toBe('ended');
    expect(ended.clock).toMatchObject({ ms: 591_000, running: false });
  });

  it('marks but not notes; objectives pending until reached, then met or missed', () => {
    const mid = viewAfter(events.findIndex((e) => e.type === 'mark' && e.mark === 'diagnosed') + 1);
    expect(mid.marks.map((m) => m.mark)).toEqual(['detected', 'diagnosed']);
    expect(JSON.stringify(mid)).not.toContain(NOTE);
    const byKey = Object.fromEntries(mid.objectives.map((o) => [o.key, o]));
    expect(byKey.detect).toMatchObject({ ms: 160_000, withinMs: 180_000, met: true });
    expect(byKey.mitigate).toMatchObject({ withinMs: 720_000 });
    expect(byKey.mitigate!.met).toBeUndefined(); // not reached yet: pending, not "missed"
  });

  it('shows probe changes only in the log, and at the end the result and the faults in full', () => {
    const end = viewAfter(events.length);
    const probeLines = end.log.filter((l) => l.text.startsWith('Probe'));
    expect(probeLines.map((l) => l.tone)).toEqual(['good', 'bad', 'good', 'bad', 'good'].slice(-probeLines.length));
    expect(end.result).toMatchObject({ endReason: 'completed', passed: true, hintsUsed: 2 });
    expect(end.faults).toEqual([
      { label: 'fault 1', status: 'done', kind: KINDS[0], target: TARGETS[0] },
      { label: 'fault 2', status: 'reverted', kind: KINDS[1], target: TARGETS[1] },
    ]);
    expect(end.objectives.find((o) => o.key === 'recover')).toMatchObject({ ms: 442_000, met: true });
  });

  it('takes the briefing from the journal first, and waits for a drill that has not started', () => {
    const started = { ...events[0]!, briefing: 'from the journal' } as (typeof events)[number];
    expect(screenView([started], foldDrill(started.drillId, [started]), at(started), { briefing: 'from the file' }).briefing).toBe('from the journal');
    expect(viewAfter(1, { briefing: 'from the file' }).briefing).toBe('from the file');
    expect(waitingView()).toMatchObject({ phase: 'waiting', seq: 0, hints: [], faults: [] });
  });
});
