/**
 * Where gameday keeps what it builds and caches (binaries, the virtualenv, the sandbox's state, the
 * validated-scenario cache): outside any repository. Its own module, free of the configuration's
 * parser and schemas, so light commands can find the cache without loading them.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const cacheDir = (): string => process.env.GAMEDAY_CACHE ?? join(homedir(), '.cache', 'gameday');
export const sandboxEnvironmentFile = (): string => join(cacheDir(), 'sandbox', 'environment.json');
