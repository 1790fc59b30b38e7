/**
 * A revert is bounded and exclusive (src/runner/revert.ts), in-process with the test.marker
 * injector: past its deadline it is journaled as failed with what it waited for and the fault stays
 * active; Ctrl-C (cancel) does the same within moments; a fault claimed by another process is
 * waited for and then read from the journal, never reverted twice; faults not reached before
 * Ctrl-C are journaled as not reverted.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import { FaultClaims } from '../../../src/adapters/fault-claim.js';
import { revertableFaults } from '../../../src/core/drill-state.js';
import { environmentSpec, type Environment } from '../../../src/core/environment.js';
import { DefaultsHost } from '../../../src/core/host.js';
import type { FaultRecord } from '../../../src/core/events.js';
import { revertAll, revertFault } from '../../../src/runner/revert.js';

process.env.GAMEDAY_ENABLE_TEST_INJECTORS = '1';

const env: Environment = { ...environmentSpec.parse({ critical: false }), name: 'local' };
let dir: string;
let store: JournalStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gd-bounds-'));
  store = new JournalStore(join(dir, 'state'));
  mkdirSync(join(dir, 'm'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A marker fault that is active (file present), journaled as injected; its revert pauses `pauseMs`. */
function activeMarker(drillId: string, name: string, pauseMs: number): FaultRecord {
  const path = join(dir, 'm', `${name}.fault`);
  writeFileSync(path, drillId);
  const record: FaultRecord = { faultId: `f1-${name}`, kind: 'test.marker', target: `marker ${name}`, reversible: true, undo: { path, log: `${path}.log`, revertPauseMs: pauseMs } };
  const j = store.open(drillId);
  j.append({ type: 'fault-intent', record });
  j.append({ type: 'fault-injected', faultId: record.faultId });
  j.close();
  return record;
}

const events = (drillId: string) => store.read(drillId).events;

describe('a revert is bounded', () => {
  it('past its deadline: journaled as failed, saying so, the fault still active; the call returned at the deadline', async () => {
    const r = activeMarker('d1', 'a', 60_000);
    const journal = store.open('d1');
    const t0 = Date.now();
    const res = await revertFault(r, 'halt', { journal, ports: {}, env, host: new DefaultsHost(), deadlineMs: 300 });
    const ms = Date.now() - t0;
    journal.close();
    expect(res.outcome).toBe('failed');
    expect(res.error).toMatch(/^revert failed: did not finish within its deadline of 0 s/);
    expect(ms).toBeLessThan(300 + 1_000 + 500); // deadline + unwind grace + margin
    const last = events('d1').at(-1)!;
    expect(last).toMatchObject({ type: 'fault-revert-failed', faultId: 'f1-a' });
    expect(existsSync(r.undo.path as string)).toBe(true);
    expect(revertableFaults(store.fold('d1').state).map((f) => f.status)).toEqual(['revert-failed']);
    expect(new FaultClaims(join(dir, 'state', 'claims')).holder('d1', 'f1-a')).toBeUndefined(); // released
  });

  it('Ctrl-C (cancel): stops within moments, journaled as interrupted; faults not reached are journaled as not reverted', async () => {
    const a = activeMarker('d2', 'a', 0);
    const b = activeMarker('d2', 'b', 60_000);
    const journal = store.open('d2');
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(new Error('SIGTERM')), 200);
    const t0 = Date.now();
    // newest first: b (slow) is reverted first, a is never reached
    const res = await revertAll([a, b], 'halt', { journal, ports: {}, env, host: new DefaultsHost(), cancel: cancel.signal });
    const ms = Date.now() - t0;
    journal.close();
    expect(ms).toBeLessThan(2_000);
    expect(res.map((x) => [x.faultId, x.outcome])).toEqual([
      ['f1-b', 'failed'],
      ['f1-a', 'failed'],
    ]);
    expect(res[0]!.error).toMatch(/^interrupted by SIGTERM before the revert finished/);
    expect(res[1]!.error).toMatch(/^not reverted: interrupted by SIGTERM before its turn/);
    expect(revertableFaults(store.fold('d2').state).map((f) => [f.record.faultId, f.status])).toEqual([
      ['f1-a', 'revert-failed'],
      ['f1-b', 'revert-failed'],
    ]);
  });
});

describe('a revert is exclusive', () => {
  it('a fault claimed by another reverter is waited for; once it is reverted there, it is not reverted again', async () => {
    const r = activeMarker('d3', 'a', 0);
    const claims = new FaultClaims(join(dir, 'state', 'claims'));
    const other = claims.tryClaim('d3', 'f1-a', 'deadline');
    if (!other.ok) throw new Error('unexpected');
    const progress: string[] = [];
    const host = { ...new DefaultsHost(), emit: (e: { type: string; message?: string }) => void (e.type === 'progress' && progress.push(e.message ?? '')) } as unknown as DefaultsHost;
    const journal = store.open('d3');
    const waiting = revertFault(r, 'halt', { journal, ports: {}, env, host });
    // the "other process" reverts and journals, then lets go
    await new Promise((res) => setTimeout(res, 300));
    rmSync(r.undo.path as string);
    const j2 = store.open('d3');
    j2.append({ type: 'fault-revert-started', faultId: 'f1-a', reason: 'deadline' });
    j2.append({ type: 'fault-reverted', faultId: 'f1-a', outcome: 'reverted' });
    j2.close();
    other.claim.release();
    const res = await waiting;
    journal.close();
    expect(res).toMatchObject({ outcome: 'already-reverted', note: expect.stringMatching(/already reverted by the deadline keeper/) });
    expect(progress.some((m) => /the deadline keeper \(pid \d+ on [^)]+\) is reverting it; waiting for its outcome/.test(m))).toBe(true);
    expect(events('d3').filter((e) => e.type === 'fault-revert-started')).toHaveLength(1); // only the other's
    expect(existsSync(`${r.undo.path as string}.log`) ? readFileSync(`${r.undo.path as string}.log`, 'utf8') : '').toBe('');
  });

  it('waiting for a claim counts against the deadline, and names the holder when it runs out', async () => {
    const r = activeMarker('d4', 'a', 0);
    const claims = new FaultClaims(join(dir, 'state', 'claims'));
    const other = claims.tryClaim('d4', 'f1-a', 'recover');
    if (!other.ok) throw new Error('unexpected');
    const journal = store.open('d4');
    const res = await revertFault(r, 'halt', { journal, ports: {}, env, host: new DefaultsHost(), deadlineMs: 300 });
    journal.close();
    other.claim.release();
    expect(res.outcome).toBe('failed');
    expect(res.error).toMatch(/did not finish within its deadline[^:]*: still being reverted by gameday recover \(pid \d+/);
    expect(events('d4').filter((e) => e.type.startsWith('fault-revert'))).toHaveLength(0); // the holder journals, not the waiter
  });
});
