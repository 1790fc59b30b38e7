/**
 * A cross-process lock for `up`/`down` (two test runs or a developer and CI starting the sandbox
 * at once). An exclusive-create file holding the owner's pid; a lock whose owner is dead is taken over.
 */
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { GamedayError } from '../core/errors.js';
import { sleep } from '../core/clock.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export async function withLock<T>(file: string, fn: () => Promise<T>, opts: { timeoutMs?: number; onWait?: (ownerPid: number) => void; signal?: AbortSignal } = {}): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  const until = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
  let told = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(file, 'utf8').trim());
      } catch {
        continue; // released meanwhile
      }
      if (!Number.isInteger(owner) || owner <= 0 || !alive(owner)) {
        rmSync(file, { force: true }); // stale: its owner died
        continue;
      }
      if (!told) opts.onWait?.(owner);
      told = true;
      if (opts.signal?.aborted) throw new GamedayError('INTERRUPTED', 'interrupted while waiting for the sandbox lock');
      if (Date.now() > until) throw new GamedayError('LOCKED', `the sandbox is busy: process ${owner} holds ${file}`, { hint: 'wait for the other `gameday sandbox` command (or test run) to finish' });
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
    } catch {
      /* already gone */
    }
  }
}
