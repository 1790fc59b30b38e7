/**
 * Small files that say "mine" across processes (fault claims, the journal append lock): created
 * atomically with their content, released only by their owner, taken over when their owner died.
 * Content is JSON with at least { pid, host }.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { pidAlive } from './env-lock.js';

export interface Owner {
  pid: number;
  host: string;
}

/**
 * Creates `file` holding `text`, atomically: written to a private temporary file first, then
 * hard-linked into place (link fails if the name exists). A reader never sees a half-written
 * file, so an empty or torn one really means its writer died. False when it exists.
 */
export function createWithContent(file: string, text: string): boolean {
  return withContent(file, text, (link) => link(file));
}

/**
 * Writes `text` once to a file of its own beside `near`, and gives `use` a `link` that puts it in
 * place under a name atomically (true), or says the name is taken (false); the file of its own is
 * removed afterwards. Every name linked holds the whole text from the moment it exists.
 */
export function withContent<T>(near: string, text: string, use: (link: (file: string) => boolean) => T): T {
  const tmp = `${near}.new-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    return use((file) => {
      try {
        linkSync(tmp, file);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        return false;
      }
    });
  } finally {
    rmSync(tmp, { force: true });
  }
}

export function readRaw(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function parseOwner<T extends Owner>(raw: string | undefined): T | undefined {
  if (raw === undefined) return undefined;
  try {
    const h = JSON.parse(raw) as T;
    return Number.isInteger(h.pid) && h.pid > 0 && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Dead owner on this host, or no readable owner at all. Another host's owner cannot be checked: not stale. */
export const isStale = (o: Owner | undefined): boolean => !o || (o.host === hostname() && !pidAlive(o.pid));

/**
 * Removes a stale file whose content was `staleRaw`, unless someone replaced it meanwhile:
 * renamed aside (atomic), checked, and put back if it turns out to be a fresh one. True when the
 * stale file was removed by this call.
 */
export function takeOverStale(file: string, staleRaw: string): boolean {
  const aside = `${file}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(file, aside);
  } catch {
    return false; // gone already: someone else took it over
  }
  let removed = true;
  if (readRaw(aside) !== staleRaw) {
    removed = false;
    // we moved a fresh, live file created a moment ago: put it back where its owner expects it
    try {
      linkSync(aside, file);
    } catch {
      // a third process created one in between; the moved one's owner finds it gone on release
    }
  }
  rmSync(aside, { force: true });
  return removed;
}

/** Removes `file` if it still holds exactly `mine`. */
export function releaseIfMine(file: string, mine: string): void {
  if (readRaw(file) === mine) rmSync(file, { force: true });
}
