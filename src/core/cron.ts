/**
 * Cron schedules as a Kubernetes CronJob accepts them (the controller parses `spec.schedule` with
 * robfig/cron's standard parser): five fields — minute, hour, day of month, month, day of week —
 * each `*`, `?` (day fields), a number or name, a range `a-b`, a step `*\/n`, `a/n`, `a-b/n`, or a
 * comma list of those; or one of the descriptors below. Checked here so `gameday schedule export`
 * says what is wrong in one line instead of the API server refusing the CronJob later. Pure.
 */

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 6, names: DAYS },
];

/** The descriptors Kubernetes documents for CronJobs. */
export const CRON_DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'] as const;

/** The first problem with a schedule, in words for a one-line error; undefined when it is valid. */
export function cronProblem(expr: string): string | undefined {
  const text = expr.trim();
  if (!text) return 'the schedule is empty';
  // Kubernetes refuses these inside the schedule: the time zone belongs in spec.timeZone
  if (/^(CRON_)?TZ=/i.test(text)) return 'a time zone inside the schedule is not allowed: use --time-zone';
  if (text.startsWith('@')) return (CRON_DESCRIPTORS as readonly string[]).includes(text.toLowerCase()) ? undefined : `unknown descriptor ${text} (known: ${CRON_DESCRIPTORS.join(', ')})`;
  const parts = text.split(/\s+/);
  if (parts.length !== FIELDS.length) return `${parts.length} field${parts.length === 1 ? '' : 's'}; a schedule has 5: minute hour day-of-month month day-of-week`;
  for (const [i, field] of FIELDS.entries()) {
    for (const item of parts[i]!.split(',')) {
      const problem = itemProblem(item, field);
      if (problem) return `${field.name} "${parts[i]}": ${problem}`;
    }
  }
  return undefined;
}

/** One comma-separated item of a field: `*`, `?`, `v`, `a-b`, each optionally `/step`. */
function itemProblem(item: string, field: Field): string | undefined {
  const [range, step, extra] = item.split('/');
  if (extra !== undefined) return `"${item}" has two steps`;
  if (step !== undefined && !/^\d+$/.test(step)) return `step "${step}" is not a number`;
  if (step !== undefined && Number(step) === 0) return 'a step of 0 never fires';
  if (range === '*' || (range === '?' && field.name.startsWith('day'))) return undefined;
  const bounds = range!.split('-');
  if (bounds.length > 2) return `"${range}" is not a range`;
  const values: number[] = [];
  for (const b of bounds) {
    const v = valueOf(b, field);
    if (v === undefined) return `"${b}" is not ${field.names ? 'a number or name' : 'a number'} between ${field.min} and ${field.max}`;
    values.push(v);
  }
  if (values.length === 2 && values[0]! > values[1]!) return `range "${range}" runs backwards`;
  return undefined;
}

function valueOf(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toLowerCase() as never) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) return undefined;
  const v = Number(text);
  return v >= field.min && v <= field.max ? v : undefined;
}

/** An IANA time zone this runtime knows (the API server checks against its own tz database too). */
export function isTimeZone(tz: string): boolean {
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
    // Intl ignores case; the API server's tz database does not (europe/dublin is refused there)
    return resolved === tz || resolved.toLowerCase() !== tz.toLowerCase();
  } catch {
    return false;
  }
}
