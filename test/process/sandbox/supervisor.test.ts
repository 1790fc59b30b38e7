import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { withLock } from '../../../src/sandbox/lock.js';
import { freePorts, isRunning, spawnComponent, stopProcess } from '../../../src/sandbox/supervisor.js';

/** pids of live (non-zombie) processes in process group pgid */
function liveGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

describe('supervisor', () => {
  test('free ports are distinct', async () => {
    const ports = await freePorts(6);
    expect(new Set(ports).size).toBe(6);
  });

  test('a spawned process is recorded, logged, detached, and stopped by pid (its whole group)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gd-sup-'));
    const rec = spawnComponent({ name: 'kwok', command: '/bin/sh', args: ['-c', 'echo started; sleep 60 & sleep 60'], health: { kind: 'process' } }, dir);
    expect(rec.pid).toBeGreaterThan(0);
    expect(isRunning(rec)).toBe(true);
    for (let i = 0; i < 50 && !readFileSync(rec.log, 'utf8').includes('started'); i++) await new Promise((r) => setTimeout(r, 100));
    // a recorded pid whose command differs is never treated as ours
    expect(isRunning({ pid: rec.pid, command: '/usr/bin/something-else' })).toBe(false);
    await stopProcess(rec, 2000);
    expect(isRunning(rec)).toBe(false);
    for (let i = 0; i < 20 && liveGroupMembers(rec.pid).length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(liveGroupMembers(rec.pid)).toEqual([]); // no member of its group survives
    expect(readFileSync(rec.log, 'utf8')).toContain('started');
  });

  test('the lock serialises concurrent holders and takes over a lock whose owner died', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gd-lock-'));
    const file = join(dir, 'lock');
    const order: string[] = [];
    const hold = (id: string) =>
      withLock(file, async () => {
        order.push(`${id}+`);
        await new Promise((r) => setTimeout(r, 100));
        order.push(`${id}-`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect(order.join(' ')).toMatch(/^(a\+ a- b\+ b-|b\+ b- a\+ a-)$/);
    writeFileSync(file, '999999999'); // a pid that cannot exist
    await expect(withLock(file, async () => 'taken over', { timeoutMs: 2000 })).resolves.toBe('taken over');
  });
});
