/**
 * Run windows: when an environment may be broken on purpose. Unattended drills should break things
 * while people who can help are at work (chaoskube's "business hours"), and a team can keep its
 * release afternoon free of drills. Pure: the caller passes the time.
 *
 *   guards:
 *     windows:
 *       - { days: mon-fri, from: "10:00", to: "16:00", timezone: Europe/Berlin }
 *
 * A window opens at `from` on each of its days and closes at `to`; `to` earlier than `from` runs
 * past midnight into the next day (the day named is the day it opens). No windows = any time.
 */
import { z } from 'zod';

export const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Day = (typeof DAY_NAMES)[number];

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "mon-fri", "sat,sun", "mon,wed-fri", "daily" → the set of weekdays (0 = Sunday), or the problem. */
export function parseDays(text: string): Set<number> | string {
  const t = text.trim().toLowerCase();
  if (t === 'daily' || t === 'every day') return new Set([0, 1, 2, 3, 4, 5, 6]);
  const out = new Set<number>();
  for (const part of t.split(',').map((p) => p.trim())) {
    const [a, b] = part.split('-').map((s) => s.trim());
    const from = DAY_NAMES.indexOf(a as Day);
    const to = b === undefined ? from : DAY_NAMES.indexOf(b as Day);
    if (from < 0 || to < 0 || part.split('-').length > 2) return `"${part}" is not a day or a range of days (write e.g. mon-fri, sat,sun or daily)`;
    // a range may wrap the week: fri-mon is fri, sat, sun, mon
    for (let d = from; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === to) break;
    }
  }
  return out;
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const runWindowSpec = z
  .strictObject({
    days: z.string().default('mon-fri'),
    from: z.string().regex(TIME, 'write a 24-hour time, e.g. "09:30"'),
    to: z.string().regex(TIME, 'write a 24-hour time, e.g. "16:00"'),
    /** an IANA time zone (Europe/London, America/New_York); default UTC */
    timezone: z.string().default('UTC'),
  })
  .superRefine((w, ctx) => {
    const days = parseDays(w.days);
    if (typeof days === 'string') ctx.addIssue({ code: 'custom', path: ['days'], message: days });
    if (!validTimeZone(w.timezone)) ctx.addIssue({ code: 'custom', path: ['timezone'], message: `unknown time zone "${w.timezone}" (write an IANA name, e.g. Europe/London)` });
    if (w.from === w.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'a window must not open and close at the same minute' });
  });
export type RunWindow = z.infer<typeof runWindowSpec>;

const minutes = (hhmm: string): number => {
  const m = TIME.exec(hhmm)!;
  return Number(m[1]) * 60 + Number(m[2]);
};

/** Weekday (0 = Sunday) and minute of the day of `at` in the time zone. */
export function localTime(at: number, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { day: DAY_NAMES.indexOf(get('weekday').toLowerCase() as Day), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** Is `at` inside the window? */
export function insideWindow(w: RunWindow, at: number): boolean {
  const days = parseDays(w.days);
  if (typeof days === 'string') return false;
  const { day, minute } = localTime(at, w.timezone);
  const from = minutes(w.from);
  const to = minutes(w.to);
  if (from < to) return days.has(day) && minute >= from && minute < to;
  // past midnight: open from `from` on a listed day, or before `to` on the day after one
  return (days.has(day) && minute >= from) || (days.has((day + 6) % 7) && minute < to);
}

/** "Tue 09:30 in Europe/Berlin": `at` as a person in that zone reads it. */
export function formatLocalTime(at: number, timeZone: string): string {
  const { day, minute } = localTime(at, timeZone);
  const name = DAY_NAMES[day]!;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${name[0]!.toUpperCase()}${name.slice(1)} ${two(Math.floor(minute / 60))}:${two(minute % 60)} in ${timeZone}`;
}

export const describeWindow = (w: RunWindow): string => `${w.days} ${w.from}–${w.to} ${w.timezone}`;

/** The window that holds `at`, if any (undefined also when there are no windows). */
export const openWindow = (windows: RunWindow[], at: number): RunWindow | undefined => windows.find((w) => insideWindow(w, at));
