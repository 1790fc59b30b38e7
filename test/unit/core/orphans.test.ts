import { describe, expect, it } from 'vitest';
import { applyEvent, emptyDrillState, type DrillState } from '../../../src/core/drill-state.js';
import type { DrillEvent, DrillEventBody } from '../../../src/core/events.js';
import { orphanOf } from '../../../src/core/orphans.js';

const T0 = Date.parse('2026-12-04T10:00:00Z');
const LEASE_MS = 60_000;

/** A drill's state from bodies, the first at T0 and each a second later. */
function drill(mode: 'facilitated' | 'unattended' | 'adhoc', bodies: DrillEventBody[], drillId = 'd1'): DrillState {
  const state = emptyDrillState(drillId);
  const all: DrillEventBody[] = [{ type: 'drill-started', mode, env: 'staging', pid: 7, host: 'pod-x' }, ...bodies];
  all.forEach((b, i) => applyEvent(state, { ...b, v: 2, drillId, seq: i + 1, at: new Date(T0 + i * 1000).toISOString() } as DrillEvent));
  return state;
}
const scaled = (deadline: number): DrillEventBody[] => [
  { type: 'fault-intent', record: { faultId: 'f1', kind: 'k8s.scale', target: 'deployment shop/catalog', reversible: true, deadline, undo: { replicas: 2 } } },
  { type: 'fault-injected', faultId: 'f1' },
];
const held = (holder: string, expiresAt: number) => ({ holder, expiresAt });

describe('orphanOf: whose faults no living drill will revert', () => {
  const deadline = T0 + 10 * 60_000;
  const live = drill('unattended', scaled(deadline));

  it('a live drill holding its renewed Lease, before the deadline, is left alone', () => {
    expect(orphanOf(live, T0 + 5 * 60_000, { lease: held('d1', T0 + 5 * 60_000 + 45_000) }, LEASE_MS)).toBeUndefined();
  });

  it('its pod gone: the Lease lapsed, is gone, or another drill took it over — reverted before the deadline', () => {
    const now = T0 + 3 * 60_000;
    expect(orphanOf(live, now, { lease: held('d1', now - 5_000) }, LEASE_MS)).toMatchObject({ reason: 'owner-gone', why: expect.stringContaining('stopped renewing') });
    expect(orphanOf(live, now, { lease: 'none' }, LEASE_MS)).toMatchObject({ reason: 'owner-gone', why: expect.stringContaining('Lease is gone') });
    expect(orphanOf(live, now, { lease: held('d2', now + 50_000) }, LEASE_MS)).toMatchObject({ reason: 'owner-gone', why: expect.stringContaining('held by d2') });
  });

  it('a drill younger than a Lease may not hold it yet: not judged by it', () => {
    expect(orphanOf(live, T0 + 30_000, { lease: 'none' }, LEASE_MS)).toBeUndefined();
  });

  it('past the deadline with a fault still active: reverted whoever holds the Lease', () => {
    expect(orphanOf(live, deadline, { lease: held('d1', deadline + 50_000) }, LEASE_MS)).toMatchObject({ reason: 'deadline' });
    expect(orphanOf(live, deadline + 1, { lease: 'unknown' }, LEASE_MS)).toMatchObject({ reason: 'deadline' });
  });

  it('a Lease that could not be read: judged by deadlines alone, never guessed gone', () => {
    expect(orphanOf(live, T0 + 5 * 60_000, { lease: 'unknown' }, LEASE_MS)).toBeUndefined();
  });

  it('a detached inject holds no Lease on purpose: only its deadline counts', () => {
    const adhoc = drill('adhoc', scaled(deadline));
    expect(orphanOf(adhoc, T0 + 5 * 60_000, { lease: 'none' }, LEASE_MS)).toBeUndefined();
    expect(orphanOf(adhoc, deadline + 1_000, { lease: 'none' }, LEASE_MS)).toMatchObject({ reason: 'deadline' });
  });

  it('a drill that ended with a fault still active (its revert failed) is an orphan at once; one that reverted everything is not', () => {
    const failed = drill('unattended', [...scaled(deadline), { type: 'fault-revert-failed', faultId: 'f1', error: 'timeout' }, { type: 'drill-ended', reason: 'completed' }]);
    expect(orphanOf(failed, T0 + 20_000, { lease: 'none' }, LEASE_MS)).toMatchObject({ reason: 'owner-gone', why: expect.stringContaining('ended (completed) with 1 fault(s) still active') });
    const clean = drill('unattended', [...scaled(deadline), { type: 'fault-reverted', faultId: 'f1', outcome: 'reverted' }, { type: 'drill-ended', reason: 'completed' }]);
    expect(orphanOf(clean, deadline + 60_000, { lease: 'none' }, LEASE_MS)).toBeUndefined();
  });

  it('a drill that ran on this machine is judged by its process, not by a Lease', () => {
    expect(orphanOf(live, T0 + 3 * 60_000, { lease: 'unknown', processAlive: true }, LEASE_MS)).toBeUndefined();
    expect(orphanOf(live, T0 + 3 * 60_000, { lease: 'none', processAlive: true }, LEASE_MS)).toBeUndefined();
    expect(orphanOf(live, T0 + 3 * 60_000, { lease: 'unknown', processAlive: false }, LEASE_MS)).toMatchObject({ reason: 'owner-gone', why: 'its process (pid 7 on pod-x) is gone' });
  });

  it('a one-shot fault leaves nothing to revert: never an orphan', () => {
    const killed = drill('unattended', [
      { type: 'fault-intent', record: { faultId: 'f1', kind: 'k8s.pod-kill', target: 'pod shop/checkout-1', reversible: false, undo: {} } },
      { type: 'fault-injected', faultId: 'f1' },
    ]);
    expect(orphanOf(killed, T0 + 60 * 60_000, { lease: 'none' }, LEASE_MS)).toBeUndefined();
  });
});
