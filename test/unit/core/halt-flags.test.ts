import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchUntilHalted } from '../../../src/adapters/halt-flag.js';
import { clearHaltFlag, haltedBecause, haltFlagRows, haltFlagsFrom, haltStateIn, noHaltFlags, setHaltFlag, storedHaltFlags } from '../../../src/core/halt-flags.js';

describe('the halt flags document', () => {
  it('halts an environment by its own flag or the global one, and clears them', () => {
    const f = noHaltFlags();
    expect(haltStateIn(f, 'staging')).toEqual({ halted: false });
    setHaltFlag(f, 'staging', { at: 't1', reason: 'smoke' });
    expect(haltStateIn(f, 'staging')).toEqual({ halted: true, reason: 'smoke', scope: 'env' });
    expect(haltStateIn(f, 'prod').halted).toBe(false);
    setHaltFlag(f, undefined, { at: 't2', reason: 'all stop' });
    expect(haltStateIn(f, 'prod')).toEqual({ halted: true, reason: 'all stop', scope: 'global' });
    expect(haltFlagRows(f).map((r) => r.scope)).toEqual(['global', 'staging']);
    clearHaltFlag(f, 'staging');
    expect(haltFlagRows(f).map((r) => r.scope)).toEqual(['global']);
    setHaltFlag(f, 'staging', { at: 't3' });
    clearHaltFlag(f, undefined);
    expect(haltFlagRows(f)).toEqual([]);
  });

  it('reads any parsed JSON as flags keyed without a prototype, and refuses a non-object', () => {
    const f = haltFlagsFrom({ envs: { constructor: { at: 't' } } });
    expect(haltStateIn(f, 'constructor').halted).toBe(true);
    expect(haltStateIn(haltFlagsFrom({}), 'toString').halted).toBe(false);
    expect(() => haltFlagsFrom(null)).toThrow('not an object');
    expect(() => haltFlagsFrom(3)).toThrow('not an object');
  });

  it('fails safe: a document that could not be read halts every environment', () => {
    expect(haltStateIn(haltedBecause('unreadable x'), 'any')).toEqual({ halted: true, reason: 'unreadable x', scope: 'global', unreadable: true });
  });

  it('writing a document that could not be read keeps everything halted, as a global flag saying why; clearing everything clears it', () => {
    const f = haltedBecause('unreadable x');
    setHaltFlag(f, 'lab', { at: 't1', reason: 'halt' });
    expect(storedHaltFlags(f, 't1')).toEqual({ global: { at: 't1', reason: 'kept from a flag that could not be read (unreadable x)' }, envs: { lab: { at: 't1', reason: 'halt' } } });
    clearHaltFlag(f, undefined);
    expect(storedHaltFlags(f, 't2')).toEqual({ envs: {} });
    expect(haltFlagRows(haltedBecause('unreadable y'))).toEqual([{ scope: 'global', at: '', reason: 'unreadable y', unreadable: true }]);
  });
});

describe('watchUntilHalted', () => {
  afterEach(() => vi.useRealTimers());

  it('calls back once when the look first says halted, and treats a throwing look as a blip', () => {
    vi.useFakeTimers();
    let n = 0;
    const look = () => {
      n++;
      if (n === 2) throw new Error('API blip');
      return n < 3 ? { halted: false } : { halted: true, reason: 'stop' };
    };
    const onHalt = vi.fn();
    watchUntilHalted(look, onHalt, 100);
    vi.advanceTimersByTime(200);
    expect(onHalt).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(onHalt).toHaveBeenCalledWith('stop');
    vi.advanceTimersByTime(1000);
    expect(onHalt).toHaveBeenCalledTimes(1);
  });

  it('stops looking when stopped', () => {
    vi.useFakeTimers();
    const look = vi.fn(() => ({ halted: false }));
    const stop = watchUntilHalted(look, () => undefined, 100);
    vi.advanceTimersByTime(250);
    stop();
    vi.advanceTimersByTime(1000);
    expect(look).toHaveBeenCalledTimes(2);
  });
});
