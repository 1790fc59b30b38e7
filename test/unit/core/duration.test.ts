import { describe, expect, it } from 'vitest';
import { formatClock, formatDuration, parseDuration } from '../../../src/core/duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1h02m03s', 3_723_000],
    ['1.5s', 1_500],
    ['0.5m', 30_000],
    ['2m500ms', 120_500],
    ['  5m  ', 300_000],
    ['0s', 0],
    ['0.0004s', 0], // rounds to whole milliseconds
  ])('%j → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    [''],
    ['   '],
    ['5'], // a bare number is ambiguous
    ['90'],
    ['5 m'],
    ['5 minutes'],
    ['5min'],
    ['m'],
    ['-5m'],
    ['5m-'],
    ['1h 30m'],
    ['5M'],
    ['1e3s'],
    ['.5s'],
    ['5m!'],
    ['soon'],
    ['Infinitys'],
  ])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('is not fooled by a previous call (the sticky regexp is reset)', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('x5m')).toBeUndefined();
    expect(parseDuration('5m')).toBe(300_000);
  });

  it('refuses an overflow to infinity', () => {
    expect(parseDuration(`${'9'.repeat(400)}d`)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [999.4, '999ms'],
    [1_000, '1s'],
    [1_499, '1s'],
    [12_000, '12s'],
    [59_999, '1m00s'],
    [245_000, '4m05s'],
    [3_600_000, '1h00m00s'],
    [3_723_000, '1h02m03s'],
    [90_000_000, '25h00m00s'],
    [-850, '-850ms'],
    [-245_000, '-4m05s'],
    [Number.NaN, '—'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('%d ms → %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each(['250ms', '12s', '4m05s', '1h02m03s'])('round-trips %j through parseDuration', (text) => {
    expect(formatDuration(parseDuration(text)!)).toBe(text);
  });
});

describe('formatClock', () => {
  it.each([
    [0, '00:00'],
    [999, '00:00'],
    [1_000, '00:01'],
    [65_000, '01:05'],
    [3_599_999, '59:59'],
    [3_600_000, '1:00:00'],
    [3_723_000, '1:02:03'],
    [-5_000, '00:00'],
  ])('%d ms → %j', (ms, text) => {
    expect(formatClock(ms)).toBe(text);
  });
});
