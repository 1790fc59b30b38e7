import { describe, expect, it } from 'vitest';
import { insideWindow, localTime, openWindow, parseDays, runWindowSpec, type RunWindow } from '../../../src/core/run-window.js';

const w = (over: Partial<RunWindow> & Pick<RunWindow, 'from' | 'to'>): RunWindow => runWindowSpec.parse(over);
const utc = (y: number, mo: number, d: number, h: number, mi: number) => Date.UTC(y, mo - 1, d, h, mi);

describe('parseDays', () => {
  it.each<[string, number[]]>([
    ['mon-fri', [1, 2, 3, 4, 5]],
    ['sat,sun', [0, 6]],
    ['Mon, Wed-Fri', [1, 3, 4, 5]],
    ['fri-mon', [0, 1, 5, 6]], // wraps the week
    ['daily', [0, 1, 2, 3, 4, 5, 6]],
    ['tue', [2]],
  ])('%s', (text, days) => expect([...(parseDays(text) as Set<number>)].sort()).toEqual(days));
  it.each(['weekdays', 'mon-', 'mon-tue-wed', '', 'monday'])('refuses %j with a message', (text) => {
    expect(parseDays(text)).toMatch(/is not a day or a range of days/);
  });
});

describe('runWindowSpec', () => {
  it('defaults: mon-fri, UTC', () => expect(w({ from: '09:00', to: '17:00' })).toEqual({ days: 'mon-fri', from: '09:00', to: '17:00', timezone: 'UTC' }));
  it.each<[unknown, string, RegExp]>([
    [{ from: '9:00', to: '17:00' }, 'from', /24-hour time/],
    [{ from: '09:00', to: '24:00' }, 'to', /24-hour time/],
    [{ from: '09:00', to: '09:00' }, 'to', /same minute/],
    [{ from: '09:00', to: '17:00', days: 'workdays' }, 'days', /not a day/],
    [{ from: '09:00', to: '17:00', timezone: 'Mars/Olympus' }, 'timezone', /unknown time zone "Mars\/Olympus"/],
    [{ from: '09:00', to: '17:00', hours: 8 }, '', /unrecognized key/i],
  ])('%j → %s', (input, path, re) => {
    const r = runWindowSpec.safeParse(input);
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path.join('.') === path)!;
    expect(issue.message).toMatch(re);
  });
});

describe('insideWindow', () => {
  const office = w({ days: 'mon-fri', from: '10:00', to: '16:00', timezone: 'Europe/Berlin' });
  it.each<[string, number, boolean]>([
    ['Tue 10:00 Berlin (09:00 UTC, winter): opens on the minute', utc(2026, 12, 1, 9, 0), true],
    ['Tue 09:59 Berlin', utc(2026, 12, 1, 8, 59), false],
    ['Tue 15:59 Berlin', utc(2026, 12, 1, 14, 59), true],
    ['Tue 16:00 Berlin: closed on the minute', utc(2026, 12, 1, 15, 0), false],
    ['Sat 12:00 Berlin', utc(2026, 12, 5, 11, 0), false],
    ['summer time: Wed 10:30 Berlin is 08:30 UTC', utc(2026, 7, 1, 8, 30), true],
    ['summer time: Wed 09:30 UTC is 11:30 Berlin', utc(2026, 7, 1, 9, 30), true],
    ['summer time: Wed 14:30 UTC is 16:30 Berlin', utc(2026, 7, 1, 14, 30), false],
  ])('%s → %s', (_, at, want) => expect(insideWindow(office, at)).toBe(want));

  const night = w({ days: 'fri', from: '22:00', to: '02:00' });
  it.each<[string, number, boolean]>([
    ['Fri 23:00', utc(2026, 12, 4, 23, 0), true],
    ['Sat 01:59 (the Friday window, past midnight)', utc(2026, 12, 5, 1, 59), true],
    ['Sat 02:00', utc(2026, 12, 5, 2, 0), false],
    ['Fri 01:00 (Thursday night is not listed)', utc(2026, 12, 4, 1, 0), false],
    ['Sat 23:00', utc(2026, 12, 5, 23, 0), false],
  ])('past midnight: %s → %s', (_, at, want) => expect(insideWindow(night, at)).toBe(want));

  it('localTime gives the weekday and minute in the zone, across the date line', () => {
    expect(localTime(utc(2026, 12, 1, 23, 30), 'UTC')).toEqual({ day: 2, minute: 23 * 60 + 30 });
    expect(localTime(utc(2026, 12, 1, 23, 30), 'Asia/Tokyo')).toEqual({ day: 3, minute: 8 * 60 + 30 });
    expect(localTime(utc(2026, 12, 1, 0, 15), 'America/New_York')).toEqual({ day: 1, minute: 19 * 60 + 15 });
  });

  it('openWindow: the first window that holds the time, or none', () => {
    const a = w({ days: 'sat', from: '10:00', to: '12:00' });
    const b = w({ days: 'tue', from: '09:00', to: '10:00' });
    expect(openWindow([a, b], utc(2026, 12, 1, 9, 30))).toBe(b);
    expect(openWindow([a, b], utc(2026, 12, 1, 10, 30))).toBeUndefined();
    expect(openWindow([], utc(2026, 12, 1, 10, 30))).toBeUndefined();
  });
});
