/** Small text helpers for messages: a value a user wrote is quoted shortened, never echoed whole. */

/** At most `max` characters, with an ellipsis when cut; control characters shown escaped. */
export function clip(text: string, max = 60): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped here
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(1, max - 1))}…`;
}

/** A user's value in a message: "value" quoted and shortened. */
export const quoted = (value: unknown, max = 60): string => `"${clip(typeof value === 'string' ? value : safeString(value), max)}"`;

function safeString(v: unknown): string {
  try {
    return typeof v === 'object' && v !== null ? JSON.stringify(v) ?? String(v) : String(v);
  } catch {
    return Object.prototype.toString.call(v); // circular, or a getter that throws
  }
}

/** Own-property lookup: a user-supplied name such as `__proto__` or `toString` is never a key of the prototype. */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
