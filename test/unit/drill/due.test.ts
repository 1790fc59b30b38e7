/** The live loop's decisions, without a clock: drill/due.ts is a pure function of state and time. */
import { describe, expect, it } from 'vitest';
import { whatIsDue, type LiveSnapshot } from '../../../src/drill/due.js';

const base: LiveSnapshot = {
  mode: 'facilitated', elapsedMs: 0, timeLimitMs: 60_000, hintsLeft: [], scheduled: [], scheduledDone: true,
  deadlinesInMs: [], activeFaults: 0, probesOk: true, steadyForMs: 0, settleMs: 10_000, tickMs: 1000,
};

describe('whatIsDue', () => {
  it('reveals the timed hints whose time has come, in order, and wakes for the next one', () => {
    const d = whatIsDue({ ...base, elapsedMs: 125_000 - 65_000, hintsLeft: [{ index: 1, afterMs: 30_000 }, { index: 2, afterMs: 60_000 }, { index: 3 }, { index: 4, afterMs: 60_500 }] });
    expect(d.hints).toEqual([1, 2]);
    expect(d.wakeInMs).toBe(0); // the time limit is reached too
    const early = whatIsDue({ ...base, elapsedMs: 59_800, hintsLeft: [{ index: 4, afterMs: 60_000 }] });
    expect(early.hints).toEqual([]);
    expect(early.wakeInMs).toBe(200);
  });

  it('never reveals hints in an unattended drill (nobody reads them; they would only cost points)', () => {
    const d = whatIsDue({ ...base, mode: 'unattended', elapsedMs: 50_000, hintsLeft: [{ index: 0, afterMs: 1 }] });
    expect(d.hints).toEqual([]);
    // and does not wake for them: an overdue timed hint once made the unattended loop spin at 0 ms
    expect(d.wakeInMs).toBe(1000);
  });

  it('starts a scheduled fault at its `at`, not before', () => {
    const s = { ...base, scheduled: [{ index: 1, atMs: 120_000 }], timeLimitMs: 600_000 };
    expect(whatIsDue({ ...s, elapsedMs: 119_999 }).faults).toEqual([]);
    expect(whatIsDue({ ...s, elapsedMs: 119_999 }).wakeInMs).toBe(1);
    expect(whatIsDue({ ...s, elapsedMs: 120_000 }).faults).toEqual([1]);
  });

  it('wakes for the nearest deadline, and at least every tick', () => {
    expect(whatIsDue({ ...base, deadlinesInMs: [4_000, 350] }).wakeInMs).toBe(350);
    expect(whatIsDue({ ...base, deadlinesInMs: [-20] }).wakeInMs).toBe(0);
    expect(whatIsDue({ ...base }).wakeInMs).toBe(1000);
  });

  it('ends at the time limit, naming it', () => {
    expect(whatIsDue({ ...base, elapsedMs: 60_000 }, () => '1m').end).toBe('time limit (1m) reached');
    expect(whatIsDue({ ...base, elapsedMs: 59_999 }).end).toBeUndefined();
  });

  it('ends an unattended drill once steady state has held for settleMs with nothing active or pending', () => {
    const u = { ...base, mode: 'unattended' as const, elapsedMs: 30_000, steadyForMs: 10_000 };
    expect(whatIsDue(u).end).toBe('steady state held with nothing active');
    expect(whatIsDue({ ...u, steadyForMs: 9_999 }).end).toBeUndefined();
    expect(whatIsDue({ ...u, activeFaults: 1 }).end).toBeUndefined();
    expect(whatIsDue({ ...u, probesOk: false }).end).toBeUndefined();
    expect(whatIsDue({ ...u, scheduledDone: false }).end).toBeUndefined();
    expect(whatIsDue({ ...u, mode: 'facilitated' }).end).toBeUndefined();
  });
});
