/**
 * A fingerprint of the sandbox's own code (every file under src/sandbox: the TypeScript that starts
 * it, the shop's Go source, the provisioning scripts). Recorded when a sandbox starts, so `up` can
 * tell a running sandbox started by other code — an older checkout, a branch — from its own, and
 * restart it instead of handing tests and players processes that no longer match the code.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// the same place as provision.sh is found from (src/sandbox in the source tree and beside the bundle)
const SANDBOX_SOURCE = (): string => fileURLToPath(new URL('../../src/sandbox/', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []))
    .sort();
}

/** sha256 over each file's path (relative) and content, in path order; '' when the source is not there. */
export function sandboxCodeFingerprint(dir: string = SANDBOX_SOURCE()): string {
  let files: string[];
  try {
    files = filesUnder(dir);
  } catch {
    return '';
  }
  const h = createHash('sha256');
  for (const f of files) h.update(relative(dir, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 16);
}
