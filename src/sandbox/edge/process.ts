/**
 * The front door as one of the sandbox's processes: spawned detached (own process group, own log,
 * pid recorded) from the compiled code in dist/ — a .ts file cannot be run by Node 20 — and stopped
 * by `down` by its recorded pid like every other component.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GamedayError } from '../../core/errors.js';
import { spawnDetached, type ProcessRecord } from '../supervisor.js';

const here = dirname(fileURLToPath(import.meta.url));
/** the same path from src/sandbox/edge (tests) and dist/sandbox/edge (the CLI) */
export const FRONT_DOOR_MAIN = join(here, '..', '..', '..', 'dist', 'sandbox', 'edge', 'main.js');

export function spawnFrontDoor(opts: { port: number; awsEndpoint: string; region: string; via: string; logs: string; cache?: string; apiPort?: number }): ProcessRecord {
  if (!existsSync(FRONT_DOOR_MAIN)) {
    throw new GamedayError('BACKEND_FAILED', `the front door's compiled code is missing (${FRONT_DOOR_MAIN})`, { hint: 'run `npm run build` (npm test does it)' });
  }
  return spawnDetached(
    {
      name: 'front-door',
      command: process.execPath,
      args: [
        FRONT_DOOR_MAIN, '--listen', `127.0.0.1:${opts.port}`, '--aws', opts.awsEndpoint, '--region', opts.region, '--via', `unix:${opts.via}`,
        // and the RDS cluster's endpoints follow its writer
        ...(opts.cache && opts.apiPort ? ['--cache', opts.cache, '--api-port', String(opts.apiPort)] : []),
      ],
      runs: FRONT_DOOR_MAIN,
      // the SDK's "Node 22 will be required" notice is noise in the log
      // a small young generation: the process mostly waits, and its memory is what `status` shows
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NODE_OPTIONS: '--max-semi-space-size=1 --max-old-space-size=96' },
    },
    opts.logs,
  );
}

/**
 * The front door and the relays of this sandbox still running, found by their mark — a unix socket
 * of this state directory's net/ on their command line — not by a recorded pid: after a crash (or a
 * start that failed before it recorded them) the state file may not name them.
 */
export function frontDoorLeftovers(frontSocket: string): number[] {
  const mark = `unix:${dirname(frontSocket)}/`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const ours = argv.some((a) => a.endsWith(join('sandbox', 'edge', 'main.js')) || a.endsWith(join('sandbox', 'real-node', 'relay.mjs')));
      if (ours && argv.some((a) => a.startsWith(mark))) pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/** SIGTERM, then SIGKILL after a second, to every leftover front door and relay of this sandbox. */
export async function removeFrontDoorLeftovers(frontSocket: string): Promise<number> {
  const pids = frontDoorLeftovers(frontSocket);
  for (const pid of pids) signal(pid, 'SIGTERM');
  for (let i = 0; i < 10 && frontDoorLeftovers(frontSocket).length; i++) await new Promise((r) => setTimeout(r, 100));
  for (const pid of frontDoorLeftovers(frontSocket)) signal(pid, 'SIGKILL');
  return pids.length;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}
