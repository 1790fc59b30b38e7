/**
 * The sandbox's own lifecycle, on a private cache (its binaries linked from the real one) so the
 * shared sandbox is never touched: interrupting `up` leaves no process behind, a component that
 * cannot start fails `up` with its name and log, `up` twice reuses, `down` stops everything.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isGamedayError } from '../../src/core/errors.js';
import { sandboxPaths } from '../../src/sandbox/paths.js';
import { sandboxDown, sandboxStatus, sandboxUp } from '../../src/sandbox/sandbox.js';

const REAL = sandboxPaths();
const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok'];
let cache: string;

function privateCache(overrides: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'gd-sandbox-cache-'));
  mkdirSync(join(dir, 'bin'));
  for (const b of BINARIES) {
    if (overrides[b]) {
      writeFileSync(join(dir, 'bin', b), overrides[b], { mode: 0o755 });
    } else symlinkSync(join(REAL.bin, b), join(dir, 'bin', b));
  }
  symlinkSync(REAL.venv, join(dir, 'venv'));
  return dir;
}

/** pids of live processes whose command line mentions dir */
function processesUnder(dir: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(dir)) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

beforeAll(() => {
  cache = privateCache();
});
afterAll(async () => {
  await sandboxDown({ cache }).catch(() => undefined);
  rmSync(cache, { recursive: true, force: true });
});

describe('sandbox lifecycle (private cache)', () => {
  test('interrupting `up` while the API server starts stops everything it started', async () => {
    const abort = new AbortController();
    const seen: string[] = [];
    const up = sandboxUp({
      cache,
      nodes: 1,
      signal: abort.signal,
      onProgress: (m) => {
        seen.push(m);
        if (m.startsWith('starting kube-apiserver')) abort.abort();
      },
    });
    const err = await up.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isGamedayError(err) && err.code).toBe('INTERRUPTED');
    expect(seen.some((m) => m.startsWith('starting etcd'))).toBe(true);
    expect(processesUnder(cache)).toEqual([]);
    expect(existsSync(sandboxPaths(cache).stateFile)).toBe(false);
  });

  test('a component that cannot start fails `up` with its name, its log and the log tail; nothing is left running', async () => {
    const broken = privateCache({ 'kube-scheduler': '#!/bin/sh\necho "simulated: unknown flag --foo" >&2\nexit 1\n' });
    try {
      const err = await sandboxUp({ cache: broken, nodes: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isGamedayError(err) && err.code).toBe('BACKEND_FAILED');
      const message = (err as Error).message;
      expect(message).toContain('kube-scheduler did not start');
      expect(message).toContain(join(broken, 'sandbox', 'logs', 'kube-scheduler.log'));
      expect(message).toContain('simulated: unknown flag --foo');
      expect(processesUnder(broken)).toEqual([]);
    } finally {
      await sandboxDown({ cache: broken });
      rmSync(broken, { recursive: true, force: true });
    }
  });

  test('up starts, up again reuses, status is healthy, down stops every process and removes the state', async () => {
    const first = await sandboxUp({ cache, nodes: 1 });
    expect(first.reused).toBe(false);
    expect(first.info.kubeconfig).toBe(join(cache, 'sandbox', 'kubeconfig'));
    const pids = processesUnder(cache);
    expect(pids.length).toBeGreaterThanOrEqual(6);
    const second = await sandboxUp({ cache, nodes: 1 });
    expect(second.reused).toBe(true);
    expect(second.seconds).toBeLessThan(10);
    expect(second.info.apiServer).toBe(first.info.apiServer);
    const st = await sandboxStatus({ cache });
    expect(st.healthy).toBe(true);
    expect(st.kube).toMatchObject({ nodes: 1, nodesReady: 1, checkoutReady: '3/3', catalogReady: '2/2' });
    const down = await sandboxDown({ cache });
    expect(down.stopped).toHaveLength(6);
    expect(processesUnder(cache)).toEqual([]);
    expect(existsSync(join(cache, 'sandbox'))).toBe(false);
  });
});
