/**
 * Validated scenarios, kept on disk: `list`, `show` and `validate` read the same few YAML files on
 * every run, and parsing plus checking them (yaml, then zod) was most of their start-up. An entry
 * is keyed by the build of gameday that checked it, the name the file is shown by, the
 * test-injector switch and either
 * - the file's identity on disk (device, inode, size, modification and change times in ns: what
 *   make and compilers' caches trust), so a warm run reads no scenario file at all; or
 * - the file's bytes, for a file rewritten with the same content (a checkout, a touch).
 * Any edit, or a new gameday, is a miss. What else a check read (the runbooks it links to) is
 * stored beside it and looked at again on a hit — by the runbooks' identities first, by their
 * headings when those changed — so a renamed heading in a runbook is a miss too.
 *
 * Best effort by design: an unreadable, corrupt or unwritable cache is a miss, never an error.
 * Only a bundled build has an id (scripts/bundle.mjs defines it); without one nothing is cached.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './cache-dir.js';

declare const __GAMEDAY_BUILD__: string | undefined;

/** The id of this build of gameday (a hash of its sources), or undefined when not bundled. */
export const buildId = (): string | undefined => (typeof __GAMEDAY_BUILD__ === 'string' ? __GAMEDAY_BUILD__ : undefined);

/** A lookup the check made that must give the same answer for the entry to hold. */
export interface Dependency {
  args: [string, string];
  answer: unknown;
  /** the identities of the files the answer came from: unchanged, the answer is too (no need to look again) */
  identity?: string;
}

/**
 * A file whose last change is this recent is not known by its identity: the kernel stamps times from
 * a clock that moves in ticks of up to 10 ms, so two writes of the same size within one tick leave
 * the same identity ("racy git" has the same rule). Such a file is read; after this long it is
 * trusted.
 */
export const RACY_MS = 1000;

/**
 * How a file on disk is known without reading it: a regular file's identity, or undefined (missing,
 * a directory, a FIFO…, or changed less than RACY_MS ago).
 */
export function fileIdentity(path: string, now = Date.now()): string | undefined {
  const id = pathIdentity(path, now);
  return id === 'racy' || id === 'none' ? undefined : id;
}

/** The same for any path: a regular file's identity, 'none' when there is no regular file there, or 'racy'. */
export function pathIdentity(path: string, now = Date.now()): string {
  let st;
  try {
    st = statSync(path, { bigint: true });
  } catch {
    return 'none';
  }
  if (!st.isFile()) return 'none';
  if (now - Number(st.ctimeNs / 1_000_000n) < RACY_MS) return 'racy';
  return `${st.dev}-${st.ino}-${st.size}-${st.mtimeNs}-${st.ctimeNs}`;
}

/** The file a check is about: its bytes (and the identity it had, if known), or, read nothing yet, its identity on disk. */
export type Contents = { bytes: Buffer; identity?: string } | { identity: string };

export interface ScenarioCache<T> {
  /** by the bytes when given (a hit is then also stored under the identity), else by the identity */
  get(display: string, contents: Contents, still: (d: Dependency) => boolean): T | undefined;
  /** stored under the bytes, and under the identity too when the file was known by one */
  put(display: string, contents: { bytes: Buffer; identity?: string }, value: T, deps: Dependency[]): void;
}

/** One stored check: `key` is what an entry named by a file's identity alone must also match. */
interface Entry<T> {
  key: string;
  value: T;
  deps: Dependency[];
}

/** The cache under `dir` for this build; undefined (no caching) without a build id or with GAMEDAY_NO_SCENARIO_CACHE=1. */
export function scenarioCache<T>(id = buildId(), dir = join(cacheDir(), 'scenarios')): ScenarioCache<T> | undefined {
  if (id === undefined || process.env.GAMEDAY_NO_SCENARIO_CACHE === '1') return undefined;
  const salt = `${id}\0${process.env.GAMEDAY_ENABLE_TEST_INJECTORS === '1' ? 'test' : ''}`;
  // By identity, the entry's name is the identity itself (hashing even a short key cost a warm `list`
  // ≈ 2 ms of its CPU) and the rest of the key is stored inside it and compared on reading.
  const fileOf = (display: string, key: { bytes: Buffer } | { identity: string }): string =>
    join(dir, 'bytes' in key ? `${contentKey(Buffer.concat([Buffer.from(`${salt}\0${display}\0`), key.bytes]))}.json` : `identity-${key.identity}.json`);
  const write = (file: string, text: string): void => {
    // whole or not at all: a reader never sees half an entry
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, file);
  };
  return {
    get(display, contents, still) {
      let text: string;
      let entry: Entry<T>;
      try {
        text = readFileSync(fileOf(display, 'bytes' in contents ? { bytes: contents.bytes } : contents), 'utf8');
        entry = JSON.parse(text) as Entry<T>;
        if (entry.key !== `${salt}\0${display}` || !entry.deps.every(still)) return undefined;
      } catch {
        return undefined;
      }
      try {
        // the same bytes under a new identity (a checkout, a copy): known without reading from now on
        if ('bytes' in contents && contents.identity) write(fileOf(display, { identity: contents.identity }), text);
      } catch {
        // only the next run's speed
      }
      return entry.value;
    },
    put(display, contents, value, deps) {
      try {
        mkdirSync(dir, { recursive: true });
        const text = JSON.stringify({ key: `${salt}\0${display}`, value, deps } satisfies Entry<T>);
        write(fileOf(display, { bytes: contents.bytes }), text);
        if (contents.identity) write(fileOf(display, { identity: contents.identity }), text);
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
