/**
 * The real terminal flow: `gameday run` in a pseudo-terminal (tmux), keys pressed like a
 * facilitator would, the screen captured. The "service" is a real local HTTP server that fails
 * while the drill's marker fault is active and the team has not "fixed" it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore } from '../../../../src/adapters/journal-store.js';
import { service, tmp } from '../../../helpers/drill.js';
import { assertBuilt, BIN, REPO, Tmux } from '../../../helpers/tmux.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
beforeAll(() => assertBuilt());

async function project(opts: { pauseBeforeMs?: number } = {}) {
  const dir = tmp('gameday-tty-');
  const markers = join(dir, 'markers');
  let fixed = false;
  const svc = await service(() => !fixed && existsSync(markers) && readdirSync(markers).some((f) => f.endsWith('.fault')));
  cleanups.push(svc.close);
  mkdirSync(join(dir, 'scenarios'));
  mkdirSync(join(dir, 'runbooks'));
  copyFileSync(join(REPO, 'runbooks/checkout-pods.md'), join(dir, 'runbooks/checkout-pods.md'));
  writeFileSync(join(dir, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n');
  writeFileSync(
    join(dir, 'scenarios/checkout-marker.yaml'),
    `id: checkout-marker
title: Checkout marker drill
summary: A marker file makes the checkout health endpoint fail.
briefing: Oh no! Checkout is down! What could it be?
faults:
  - kind: test.marker
    target: { dir: ${markers}, names: m1 }
    params: { pauseBeforeMs: ${opts.pauseBeforeMs ?? 0} }
    duration: 5m
steadyState:
  - name: checkout-http
    type: http
    url: ${svc.url}
    interval: 200ms
hints:
  - Look at the health endpoint
  - text: Check the marker directory
    after: 9m
runbook: runbooks/checkout-pods.md#checkout-pods-not-ready
objectives:
  detectWithin: 5m
  mitigateWithin: 10m
  recoverWithin: 10m
timeLimit: 10m
`,
  );
  const t = new Tmux();
  cleanups.push(() => t.kill());
  const start = (colour: Record<string, string> = { FORCE_COLOR: '1' }) => t.start(dir, `node ${BIN} run checkout-marker --env lab`, { GAMEDAY_ENABLE_TEST_INJECTORS: '1', ...colour });
  return { dir, markers, t, start, fix: () => (fixed = true), journals: () => new JournalStore(join(dir, '.gameday')) };
}

const markersLeft = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.fault')) : []);

describe('gameday run in a real terminal', () => {
  it('briefing, live panel, keys h d g n r x m q, debrief, summary; the journal holds the marks', async () => {
    const p = await project();
    p.start();
    await p.t.waitFor('Player briefing');
    await p.t.waitFor('start the clock?');
    p.t.keys('Enter');
    await p.t.waitFor('● BROKEN');
    let s = await p.t.waitFor('h  hint');
    expect(s).toContain('Checkout marker drill');
    expect(s).toMatch(/Fault\s+marker m1 test\.marker\s+active\s+reverts in 0?4:5\d/);
    expect(s).toMatch(/Hints\s+0\/2 revealed, 2 remaining, next due in/);
    p.t.keys('h');
    await p.t.waitFor('“Look at the health endpoint”');
    p.t.keys('d');
    await p.t.waitFor(/Marks\s+detected @ \d\d:\d\d/);
    p.t.keys('g');
    await p.t.waitFor('diagnosed @');
    p.t.keys('n');
    await p.t.waitFor('Note:');
    p.t.type('restarted the service');
    p.t.keys('Enter');
    await p.t.waitFor('Note: restarted the service');
    p.t.keys('r');
    await p.t.waitFor('Which pods, and how old?');
    p.fix();
    await p.t.waitFor('● healthy');
    p.t.keys('m');
    await p.t.waitFor('mitigated @');
    p.t.keys('x');
    await p.t.waitFor(/Fault\s+marker m1 test\.marker\s+reverted/);
    expect(markersLeft(p.markers)).toEqual([]);
    p.t.keys('q');
    await p.t.waitFor('End the drill now?');
    p.t.keys('Enter');
    for (const [q, a] of [['what went well?', 'we found it fast'], ['What was hard?', 'no alert fired'], ['Gaps found', 'runbook misses markers'], ['Action items', 'add an alert @alice; fix the runbook @bob']] as const) {
      await p.t.waitFor(q);
      p.t.type(a);
      p.t.keys('Enter');
    }
    s = await p.t.waitFor('Drill id:');
    expect(s).toMatch(/Time to detect\s+[\dm]+s\s+objective 5m00s\s+MET/);
    expect(s).toMatch(/Time to mitigate\s+[\dm]+s\s+objective 10m00s\s+MET/);
    expect(s).toMatch(/Hints used\s+1 of 2/);
    expect(s).toMatch(/Score\s+95 \/ 100\s+PASSED/);
    expect(await p.t.exitCode()).toBe(0);

    const store = p.journals();
    const [id] = store.list();
    const { state } = store.fold(id!);
    expect(state.marks.map((m) => m.mark)).toEqual(['detected', 'diagnosed', 'note', 'mitigated']);
    expect(state.marks.find((m) => m.mark === 'note')?.text).toBe('restarted the service');
    expect(state.hints).toHaveLength(1);
    expect(state.endReason).toBe('completed');
    expect(state.debrief?.actionItems).toEqual(['add an alert @alice', 'fix the runbook @bob']);
  });

  const ctrlC: { name: string; at: (p: Awaited<ReturnType<typeof project>>) => Promise<void>; pause?: number }[] = [
    { name: 'inside the start prompt', at: async (p) => void (await p.t.waitFor('start the clock?')) },
    {
      name: 'during injection',
      pause: 3000,
      at: async (p) => {
        await p.t.waitFor('start the clock?');
        p.t.keys('Enter');
        await p.t.waitFor('injecting…');
      },
    },
    {
      name: 'in the live panel',
      at: async (p) => {
        await p.t.waitFor('start the clock?');
        p.t.keys('Enter');
        await p.t.waitFor('● BROKEN');
      },
    },
    {
      name: 'inside the note prompt',
      at: async (p) => {
        await p.t.waitFor('start the clock?');
        p.t.keys('Enter');
        await p.t.waitFor('● BROKEN');
        p.t.keys('n');
        await p.t.waitFor('Note:');
      },
    },
    {
      name: 'inside the debrief',
      at: async (p) => {
        await p.t.waitFor('start the clock?');
        p.t.keys('Enter');
        await p.t.waitFor('● BROKEN');
        p.t.keys('q');
        await p.t.waitFor('End the drill now?');
        p.t.keys('Enter');
        await p.t.waitFor('what went well?');
      },
    },
  ];
  for (const step of ctrlC) {
    it(`Ctrl-C ${step.name} reverts, journals and exits 130`, async () => {
      const p = await project({ pauseBeforeMs: step.pause });
      p.start();
      await step.at(p);
      p.t.keys('C-c');
      expect(await p.t.exitCode()).toBe(130);
      expect(markersLeft(p.markers)).toEqual([]);
      const store = p.journals();
      for (const id of store.list()) {
        const { state } = store.fold(id);
        expect(state.endReason).toBe('interrupted');
        expect([...state.faults.values()].filter((f) => f.status === 'active' || f.status === 'intended')).toEqual([]);
      }
      expect(existsSync(join(p.dir, '.gameday/locks/lab.lock'))).toBe(false);
    });
  }

  it('colours on a terminal, none with NO_COLOR', async () => {
    // eslint-disable-next-line no-control-regex
    const colours = /\u001b\[(3\d|9\d|4\d)(;\d+)*m/;
    for (const [envVars, coloured] of [[{ FORCE_COLOR: '1' }, true], [{ NO_COLOR: '1' }, false]] as const) {
      const p = await project();
      p.start(envVars);
      await p.t.waitFor('start the clock?');
      p.t.keys('Enter');
      await p.t.waitFor('● BROKEN');
      expect(colours.test(p.t.screen({ escapes: true }))).toBe(coloured);
      p.t.keys('C-c');
      expect(await p.t.exitCode()).toBe(130);
      expect(markersLeft(p.markers)).toEqual([]);
    }
  });

  it('SIGTERM during an unattended drill reverts, journals and exits 130', async () => {
    const p = await project();
    const child = spawn('node', [BIN, 'run', 'checkout-marker', '--env', 'lab', '--yes', '--report', 'report.json'], { cwd: p.dir, env: { ...process.env, GAMEDAY_ENABLE_TEST_INJECTORS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let sent = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!sent && out.includes('Probe checkout-http: BROKEN')) {
        sent = true;
        expect(markersLeft(p.markers)).toEqual(['m1.fault']);
        child.kill('SIGTERM');
      }
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    expect(markersLeft(p.markers)).toEqual([]);
    const store = p.journals();
    const { state } = store.fold(store.list()[0]!);
    expect(state.endReason).toBe('interrupted');
    expect([...state.faults.values()].map((f) => f.status)).toEqual(['reverted']);
    // the report is written for an interrupted drill too
    expect(JSON.parse(readFileSync(join(p.dir, 'report.json'), 'utf8'))).toMatchObject({ endReason: 'interrupted', passed: false });
  });

  it('unattended: exit 1 and a failing JUnit report when the system does not heal within its objective', async () => {
    const p = await project();
    // the fault keeps checkout broken for 1.5s; the objective says recover within 200ms
    const file = join(p.dir, 'scenarios/checkout-marker.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('duration: 5m', 'duration: 1500ms').replace('recoverWithin: 10m', 'recoverWithin: 200ms'));
    // async: the service lives in this process and must keep answering while the drill runs
    const child = spawn('node', [BIN, 'run', 'checkout-marker', '--env', 'lab', '--yes', '--report', 'junit.xml'], { cwd: p.dir, env: { ...process.env, GAMEDAY_ENABLE_TEST_INJECTORS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const status = await new Promise<number | null>((res) => child.on('close', res));
    const r = { status, stdout };
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/Time to recover\s+\d+s\s+objective 200ms\s+MISSED/);
    const junit = readFileSync(join(p.dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('failures="1"');
    expect(junit).toMatch(/name="Time to recover within 200ms"[^>]*>\s*<failure message="missed \(late\)/);
    expect(markersLeft(p.markers)).toEqual([]);
  });

  it('without a terminal and without --yes, refuses with a clear message (exit 2)', async () => {
    const p = await project();
    const r = spawnSync('node', [BIN, 'run', 'checkout-marker', '--env', 'lab'], { cwd: p.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GAMEDAY_ENABLE_TEST_INJECTORS: '1' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('needs a terminal');
    expect(r.stderr).toContain('--yes');
    expect(markersLeft(p.markers)).toEqual([]);
  });
});
