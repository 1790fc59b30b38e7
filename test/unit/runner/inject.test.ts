import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import { revertableFaults } from '../../../src/core/drill-state.js';
import { environmentSpec, type Environment } from '../../../src/core/environment.js';
import { DefaultsHost } from '../../../src/core/host.js';
import { assertPlanAllowed, resolvePlan } from '../../../src/runner/plan.js';
import { injectPlan } from '../../../src/runner/inject.js';
import { recoverDrill } from '../../../src/runner/recover.js';

process.env.GAMEDAY_ENABLE_TEST_INJECTORS = '1';

const env: Environment = { ...environmentSpec.parse({ critical: false }), name: 'local' };
let dir: string;
let store: JournalStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gd-runner-'));
  store = new JournalStore(join(dir, 'state'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const marker = (names: string, params: Record<string, unknown> = {}) => ({ kind: 'test.marker', target: { dir: join(dir, 'm'), names }, params, duration: 60_000 });
const noHalt = { halted: false };

async function plan(faults: ReturnType<typeof marker>[]) {
  return resolvePlan({ env, faults, seed: 1, halt: noHalt }, { ports: {}, signal: new AbortController().signal });
}

describe('runner', () => {
  it('journals each intent before its injection, then the outcome and verification', async () => {
    const p = await plan([marker('a+b')]);
    assertPlanAllowed(p);
    const journal = store.open('d1');
    const seen: string[] = [];
    journal.onAppend((e) => seen.push(`${e.type}${'faultId' in e ? ` ${e.faultId}` : e.type === 'fault-intent' ? ` ${e.record.faultId}` : ''}`));
    const injected = await injectPlan(p, { journal, ports: {}, env, host: new DefaultsHost(), signal: new AbortController().signal, attached: false });
    expect(injected.map((f) => f.record.faultId)).toEqual(['f1-a', 'f1-b']);
    expect(seen).toEqual(['fault-intent f1-a', 'fault-intent f1-b', 'fault-injected f1-a', 'fault-injected f1-b', 'fault-verified f1-a', 'fault-verified f1-b']);
    expect(existsSync(join(dir, 'm', 'a.fault'))).toBe(true);
    const { state } = store.fold('d1');
    expect(revertableFaults(state).map((f) => f.status)).toEqual(['active', 'active']);
    expect(state.faults.get('f1-a')!.record.deadline).toBeGreaterThan(Date.now());
  });

  it('rolls back every target of the fault when one target fails', async () => {
    const p = await plan([marker('a+b+c', { failOn: 'b' })]);
    const journal = store.open('d2');
    await expect(injectPlan(p, { journal, ports: {}, env, host: new DefaultsHost(), signal: new AbortController().signal, attached: false })).rejects.toThrow(/1 of 3 target\(s\) failed/);
    for (const n of ['a', 'b', 'c']) expect(existsSync(join(dir, 'm', `${n}.fault`))).toBe(false);
    const { state } = store.fold('d2');
    expect(revertableFaults(state)).toEqual([]);
    expect(state.faults.get('f1-b')!.lastError).toMatch(/told to fail/);
  });

  it('rolls back earlier faults when a later fault fails', async () => {
    const p = await plan([marker('a'), marker('x', { failOn: 'x' })]);
    const journal = store.open('d3');
    await expect(injectPlan(p, { journal, ports: {}, env, host: new DefaultsHost(), signal: new AbortController().signal, attached: false })).rejects.toThrow();
    expect(existsSync(join(dir, 'm', 'a.fault'))).toBe(false);
    expect(readFileSync(join(dir, 'm', 'a.fault.log'), 'utf8')).toBe('inject f1-a\nrevert f1-a\n');
  });

  it('reverts what was injected when interrupted mid-plan, and says so', async () => {
    const p = await plan([marker('a'), marker('b', { pauseBeforeMs: 5_000 })]);
    const journal = store.open('d4');
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('SIGINT')), 300);
    await expect(injectPlan(p, { journal, ports: {}, env, host: new DefaultsHost(), signal: ac.signal, attached: true })).rejects.toMatchObject({ code: 'INTERRUPTED' });
    expect(existsSync(join(dir, 'm', 'a.fault'))).toBe(false);
    expect(existsSync(join(dir, 'm', 'b.fault'))).toBe(false);
    expect(revertableFaults(store.fold('d4').state)).toEqual([]);
  });

  it('recover reverts from the journal alone, and a second recover changes nothing', async () => {
    const p = await plan([marker('a+b')]);
    const journal = store.open('d5');
    journal.append({ type: 'drill-started', mode: 'adhoc', env: 'local', pid: 999_999, host: 'elsewhere' });
    await injectPlan(p, { journal, ports: {}, env, host: new DefaultsHost(), signal: new AbortController().signal, attached: false });
    journal.close();
    const deps = { store, config: { file: undefined, config: { environments: {} }, environments: { local: env }, stateDir: dir }, host: new DefaultsHost(), buildPorts: async () => ({}) };
    const first = await recoverDrill('d5', 'recover', deps);
    expect(first.results.map((r) => r.outcome).sort()).toEqual(['reverted', 'reverted']);
    const second = await recoverDrill('d5', 'recover', deps);
    expect(second.results).toEqual([]);
    expect(readFileSync(join(dir, 'm', 'a.fault.log'), 'utf8')).toBe('inject f1-a\nrevert f1-a\n');
    expect(store.fold('d5').state.endReason).toBe('aborted');
  });

  it('refuses a critical environment before selecting anything', async () => {
    const critical = { ...env, critical: true };
    const p = await resolvePlan({ env: critical, faults: [marker('a')], seed: 1, halt: noHalt }, { ports: {}, signal: new AbortController().signal });
    expect(p.ok).toBe(false);
    expect(p.faults).toEqual([]);
    expect(() => assertPlanAllowed(p)).toThrow(/critical/);
  });
});
