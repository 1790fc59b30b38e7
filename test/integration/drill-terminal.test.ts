/**
 * The real terminal flow against the sandbox: `gameday run checkout-pod-kill` in a pseudo-terminal
 * (tmux), on an isolated copy of checkout whose replacement pods can only schedule once the "team"
 * restores a node label. Keys are pressed like a facilitator would; the screen shows the panel and
 * the summary; the journal shows the marks.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore } from '../../src/adapters/journal-store.js';
import { assertBuilt, BIN, REPO, Tmux } from '../helpers/tmux.js';
import { createPinnedCheckout, type PinnedCheckout } from '../helpers/sandbox/pinned-checkout.js';
import { sandbox } from '../helpers/sandbox/sandbox.js';

describe('gameday run checkout-pod-kill in a real terminal, on the sandbox', () => {
  let fixture: PinnedCheckout;
  let ns = '';
  let suffix = '';
  const t = new Tmux();
  const setNodeLabel = (on: boolean) => fixture.pin(on);

  beforeAll(async () => {
    assertBuilt();
    // another node than the recording-host drill's (drill-checkout.test.ts), which may run at the same time
    fixture = await createPinnedCheckout('gd-tty', 1);
    ns = fixture.namespace;
    suffix = fixture.suffix;
  });
  afterAll(async () => {
    t.kill();
    await fixture?.remove();
  });

  it('panel, keys, debrief and summary on screen; marks in the journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gd-tty-project-'));
    mkdirSync(join(dir, 'scenarios'));
    mkdirSync(join(dir, 'runbooks'));
    copyFileSync(join(REPO, 'runbooks/checkout-pods.md'), join(dir, 'runbooks/checkout-pods.md'));
    writeFileSync(join(dir, 'scenarios/checkout-pod-kill.yaml'), readFileSync(join(REPO, 'scenarios/checkout-pod-kill.yaml'), 'utf8').replaceAll('namespace: shop', `namespace: ${ns}`));
    const stateDir = join(dir, '.gameday');
    // an environment of its own on the sandbox's cluster: drills in other test files hold the `sandbox` lease
    const info = sandbox();
    const envName = `tty-${suffix}`;
    writeFileSync(join(dir, 'gameday.yaml'), `environments:\n  ${envName}:\n    critical: false\n    kube:\n      kubeconfig: ${info.kubeconfig}\n      context: ${info.kubeContext}\n`);
    await setNodeLabel(false); // the replacement will wait for the team's fix
    t.start(dir, `node ${BIN} run checkout-pod-kill --env ${envName} --seed 3`, { GAMEDAY_STATE_DIR: stateDir });
    await t.waitFor('Player briefing', 30_000);
    await t.waitFor('start the clock?');
    t.keys('Enter');
    let s = await t.waitFor('● BROKEN', 30_000);
    await t.waitFor('h  hint');
    s = t.screen();
    expect(s).toMatch(new RegExp(`Fault\\s+pod ${ns}/checkout-\\S+ k8s\\.pod-kill\\s+done\\s+one-shot`));
    expect(s).toMatch(/Probe\s+checkout-ready\s+● BROKEN\s+2\/3 ready/);
    expect(s).toMatch(/Hints\s+0\/3 revealed, 3 remaining, next due in 0[12]:\d\d/);
    t.keys('h');
    await t.waitFor('“Start with the workload');
    t.keys('d');
    await t.waitFor('detected @');
    t.keys('r');
    await t.waitFor('Which pods, and how old?');
    t.keys('g');
    await t.waitFor('diagnosed @');
    await setNodeLabel(true); // the team's fix: the replacement schedules and kwok makes it Ready
    s = await t.waitFor(/Probe\s+checkout-ready\s+● healthy\s+3\/3 ready/, 60_000);
    t.keys('m');
    await t.waitFor('mitigated @');
    t.keys('q');
    await t.waitFor('End the drill now?');
    t.keys('Enter');
    for (const q of ['what went well?', 'What was hard?', 'Gaps found', 'Action items']) {
      await t.waitFor(q, 30_000);
      t.type(q === 'Action items' ? 'alert on Pending pods @sam' : 'fine');
      t.keys('Enter');
    }
    s = await t.waitFor('Drill id:', 30_000);
    expect(s).toMatch(/Time to detect\s+[\dms]+\s+objective 3m00s\s+MET/);
    expect(s).toMatch(/Time to recover\s+[\dms]+\s+objective 5m00s\s+MET/);
    expect(s).toMatch(/Score\s+95 \/ 100\s+PASSED/);
    expect(await t.exitCode()).toBe(0);

    const store = new JournalStore(stateDir);
    const { state } = store.fold(store.list()[0]!);
    expect(state.marks.map((m) => m.mark)).toEqual(['detected', 'diagnosed', 'mitigated']);
    expect(state.hints.map((h) => h.trigger)).toEqual(['manual']);
    expect(state.endReason).toBe('completed');
    expect([...state.faults.values()].map((f) => f.status)).toEqual(['done']);
  });
});
