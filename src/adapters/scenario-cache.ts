/**
 * Validated scenarios, kept on disk by content: `list`, `show` and `validate` read the same few
 * YAML files on every run, and parsing plus checking them (yaml, then zod) was most of their
 * start-up. An entry is keyed by the build of gameday that checked it, the name the file is shown
 * by, the test-injector switch and the file's bytes — so any edit, or a new gameday, is a miss.
 * What else a check read (the runbooks it links to) is stored beside it and looked at again on a
 * hit: a renamed heading in a runbook is a miss too.
 *
 * Best effort by design: an unreadable, corrupt or unwritable cache is a miss, never an error.
 * Only a bundled build has an id (scripts/bundle.mjs defines it); without one nothing is cached.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './cache-dir.js';

declare const __GAMEDAY_BUILD__: string | undefined;

/** The id of this build of gameday (a hash of its sources), or undefined when not bundled. */
export const buildId = (): string | undefined => (typeof __GAMEDAY_BUILD__ === 'string' ? __GAMEDAY_BUILD__ : undefined);

/** A lookup the check made that must give the same answer for the entry to hold. */
export interface Dependency {
  args: [string, string];
  answer: unknown;
}

export interface ScenarioCache<T> {
  get(display: string, bytes: Buffer, still: (d: Dependency) => boolean): T | undefined;
  put(display: string, bytes: Buffer, value: T, deps: Dependency[]): void;
}

/** The cache under `dir` for this build; undefined (no caching) without a build id or with GAMEDAY_NO_SCENARIO_CACHE=1. */
export function scenarioCache<T>(id = buildId(), dir = join(cacheDir(), 'scenarios')): ScenarioCache<T> | undefined {
  if (id === undefined || process.env.GAMEDAY_NO_SCENARIO_CACHE === '1') return undefined;
  const salt = `${id}\0${process.env.GAMEDAY_ENABLE_TEST_INJECTORS === '1' ? 'test' : ''}`;
  const fileOf = (display: string, bytes: Buffer): string => join(dir, `${contentKey(Buffer.concat([Buffer.from(`${salt}\0${display}\0`), bytes]))}.json`);
  return {
    get(display, bytes, still) {
      try {
        const entry = JSON.parse(readFileSync(fileOf(display, bytes), 'utf8')) as { value: T; deps: Dependency[] };
        return entry.deps.every(still) ? entry.value : undefined;
      } catch {
        return undefined;
      }
    },
    put(display, bytes, value, deps) {
      try {
        mkdirSync(dir, { recursive: true });
        const file = fileOf(display, bytes);
        // whole or not at all: a reader never sees half an entry
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ value, deps }), { mode: 0o600 });
        renameSync(tmp, file);
      } catch {
        // a cache we cannot write only costs the next run its speed
      }
    },
  };
}

/**
 * A 106-bit key of the bytes: two 53-bit cyrb53 hashes with different seeds. Not a cryptographic
 * hash, and it need not be: it names a cache entry on this machine (a collision would need ~2^53
 * scenario versions), and loading node:crypto cost every light command about 6 ms of CPU (a bare
 * `node -e 0` takes about 60; measured with /usr/bin/time, 21 runs).
 */
export function contentKey(bytes: Uint8Array): string {
  return cyrb53(bytes, 0x9e3779b9).toString(36).padStart(11, '0') + cyrb53(bytes, 0x85ebca6b).toString(36).padStart(11, '0');
}

function cyrb53(bytes: Uint8Array, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    h1 = Math.imul(h1 ^ b, 2654435761);
    h2 = Math.imul(h2 ^ b, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
