/**
 * One drill per environment at a time: a lock file <stateDir>/locks/<env>.lock created with O_EXCL.
 * A lock whose process is gone (same host, pid not alive) is stale and taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { GamedayError } from '../core/errors.js';

export interface LockInfo {
  pid: number;
  host: string;
  drillId: string;
  at: string;
}

export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export class EnvLock {
  constructor(private readonly stateDir: string) {}
  private file(env: string): string {
    return join(this.stateDir, 'locks', `${env}.lock`);
  }
  holder(env: string): LockInfo | undefined {
    try {
      const info = JSON.parse(readFileSync(this.file(env), 'utf8')) as LockInfo;
      if (info.host === hostname() && !pidAlive(info.pid)) return undefined; // stale
      return info;
    } catch {
      return undefined;
    }
  }
  acquire(env: string, drillId: string): () => void {
    mkdirSync(join(this.stateDir, 'locks'), { recursive: true });
    const info: LockInfo = { pid: process.pid, host: hostname(), drillId, at: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.file(env), JSON.stringify(info), { flag: 'wx' });
        return () => this.release(env, drillId);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const held = this.holder(env);
        if (held) {
          throw new GamedayError('LOCKED', `environment "${env}" is busy: drill ${held.drillId} (pid ${held.pid} on ${held.host}, since ${held.at})`, {
            hint: 'wait for it to end, or stop it with `gameday halt --env ' + env + '`',
          });
        }
        rmSync(this.file(env), { force: true }); // stale: its process is gone
      }
    }
    throw new GamedayError('LOCKED', `could not lock environment "${env}"`, { hint: `remove ${this.file(env)} if no drill is running` });
  }
  release(env: string, drillId: string): void {
    try {
      const info = JSON.parse(readFileSync(this.file(env), 'utf8')) as LockInfo;
      if (info.drillId === drillId && info.pid === process.pid) rmSync(this.file(env), { force: true });
    } catch {
      // already gone
    }
  }
}
