/**
 * Starts and stops the sandbox's processes. Each one runs detached in its own process group
 * (so a Ctrl-C in the terminal reaches gameday, which then stops them deliberately), writes to its
 * own log file, and is recorded by pid the moment it is spawned. Stopping is by recorded pid only —
 * after checking that the pid still runs the recorded command — never by process name.
 */
import { sleep } from '../core/clock.js';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ComponentSpec } from './components.js';

export interface ProcessRecord {
  name: string;
  pid: number;
  command: string;
  args: string[];
  log: string;
  startedAt: string;
}


/** A free TCP port on 127.0.0.1 (the kernel picks; the socket is closed before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** n distinct free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  for (let i = 0; out.size < n && i < n * 20; i++) out.add(await freePort());
  if (out.size < n) throw new Error('could not find free ports on 127.0.0.1');
  return [...out];
}

export function spawnComponent(spec: ComponentSpec, logDir: string): ProcessRecord {
  return spawnDetached({ name: spec.name, command: spec.command, args: spec.args, env: spec.env }, logDir);
}

/**
 * Spawns a process detached in its own group, its output in <logDir>/<name>.log. `runs` is what its
 * command line will show once it has exec'd (for `ip netns exec … node relay.mjs`, the script):
 * `isRunning` checks the recorded pid still runs that, never a recycled pid.
 */
export function spawnDetached(cmd: { name: string; command: string; args: string[]; env?: Record<string, string>; runs?: string }, logDir: string): ProcessRecord {
  mkdirSync(logDir, { recursive: true });
  const log = join(logDir, `${cmd.name}.log`);
  const fd = openSync(log, 'a');
  try {
    const child = spawn(cmd.command, cmd.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...cmd.env },
    });
    if (child.pid === undefined) throw new Error(`could not start ${cmd.command}`);
    child.on('error', () => undefined);
    child.unref();
    return { name: cmd.name, pid: child.pid, command: cmd.runs ?? cmd.command, args: cmd.args, log, startedAt: new Date().toISOString() };
  } finally {
    closeSync(fd);
  }
}

/** True when pid runs and its command line still starts with the recorded command. */
export function isRunning(rec: Pick<ProcessRecord, 'pid' | 'command'>): boolean {
  try {
    process.kill(rec.pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').split('\0');
    // moto_server is a python script: its argv[0] is the interpreter, argv[1] the script
    if (!cmdline.slice(0, 2).some((a) => a === rec.command)) return false;
    const stat = readFileSync(`/proc/${rec.pid}/stat`, 'utf8');
    return !/\) Z /.test(stat); // a zombie is not running
  } catch {
    return existsSync(`/proc/${rec.pid}`);
  }
}

/** SIGTERM the process group of a recorded process, then SIGKILL after graceMs. */
export async function stopProcess(rec: ProcessRecord, graceMs = 5000): Promise<void> {
  if (!isRunning(rec)) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-rec.pid, sig); // its own group (spawned detached)
    } catch {
      try {
        process.kill(rec.pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  signal('SIGTERM');
  const until = Date.now() + graceMs;
  while (Date.now() < until && isRunning(rec)) await sleep(100);
  // the leader is gone (or ignored SIGTERM): nothing of its group may outlive it
  try {
    process.kill(-rec.pid, 'SIGKILL');
  } catch {
    /* the group is empty */
  }
  if (isRunning(rec)) signal('SIGKILL');
  for (let i = 0; i < 50 && isRunning(rec); i++) await sleep(100);
}

export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** One GET with a timeout; resolves with the status code and body, or rejects. */
export function httpGet(url: string, opts: { timeoutMs?: number; tls?: TlsMaterial; insecure?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req =
      u.protocol === 'https:'
        ? httpsRequest(u, { method: 'GET', ca: opts.tls?.ca, cert: opts.tls?.cert, key: opts.tls?.key, rejectUnauthorized: !opts.insecure, agent: false })
        : httpRequest(u, { method: 'GET', agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 2000} ms`)), opts.timeoutMs ?? 2000);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body.length < 65536 ? (body += c) : undefined));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end();
  });
}

export interface Health {
  healthy: boolean;
  detail: string;
}

export async function checkHealth(spec: ComponentSpec, rec: ProcessRecord | undefined, tls?: TlsMaterial): Promise<Health> {
  if (!rec) return { healthy: false, detail: 'not started' };
  if (!isRunning(rec)) return { healthy: false, detail: `process ${rec.pid} is not running (log: ${rec.log})` };
  if (spec.health.kind === 'process') return { healthy: true, detail: `pid ${rec.pid}` };
  try {
    // controller-manager and scheduler serve self-signed certificates of their own
    const insecure = spec.health.kind === 'https' && spec.name !== 'kube-apiserver';
    const res = await httpGet(spec.health.url, { tls, insecure, timeoutMs: 5000 });
    if (res.status >= 200 && res.status < 400) return { healthy: true, detail: `pid ${rec.pid}, ${spec.health.url} ${res.status}` };
    return { healthy: false, detail: `${spec.health.url} answered ${res.status}: ${res.body.split('\n').filter((l) => l.includes('failed')).slice(0, 3).join('; ') || res.body.slice(0, 200)}` };
  } catch (e) {
    return { healthy: false, detail: `${spec.health.url}: ${(e as Error).message}` };
  }
}

/** Waits (bounded) until a component is healthy; fails fast when its process exits. */
export async function waitHealthy(spec: ComponentSpec, rec: ProcessRecord, timeoutMs: number, tls?: TlsMaterial, signal?: AbortSignal): Promise<Health> {
  const until = Date.now() + timeoutMs;
  let last: Health = { healthy: false, detail: 'not checked' };
  while (Date.now() < until) {
    if (signal?.aborted) return { healthy: false, detail: 'interrupted' };
    last = await checkHealth(spec, rec, tls);
    if (last.healthy) return last;
    if (!isRunning(rec)) return { healthy: false, detail: `exited during start-up (log: ${rec.log})` };
    await sleep(200);
  }
  return { healthy: false, detail: `not healthy after ${Math.round(timeoutMs / 1000)} s: ${last.detail} (log: ${rec.log})` };
}

/** The last lines of a log, for error messages. */
export function tail(file: string, lines = 8): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Resident set size of a process in KiB (0 when gone). */
export function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
