/**
 * The room's screen in a real browser (Debian's Chromium via playwright-core), against the built CLI
 * (`gameday screen`) following a journal this test appends to — another process than the server,
 * as when `gameday run` writes the journal and the TV shows it. At every step of a recorded drill:
 * the page shows the step within 1 s of the append, and its DOM holds no unrevealed hint, no
 * facilitator summary or note, and (until the end) no fault kind or target. Also: no console
 * errors, no request beyond the page's own origin, and the token when shared with --host.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import { launchChromium, watchPage } from '../../helpers/browser.js';
import { BIN, cliEnv, ensureBuilt, ROOT, runCli } from '../../helpers/cli.js';
import { tmp } from '../../helpers/drill.js';
import { BRIEFING, HINTS, KINDS, recordedSteps, SECRETS, TARGETS, writeRecordedScenario } from '../../helpers/recorded-drill.js';

const DRILL = '20261203-140000-shop-outage-abcd';
/** the page's document, in the functions Playwright runs there (the test project has no DOM types; the page's CSP forbids string eval) */
declare const document: { body: { dataset: Record<string, string | undefined> } };
let browser: Browser;
const children: ChildProcess[] = [];

beforeAll(async () => {
  await ensureBuilt();
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await browser?.close();
});

function setup() {
  const dir = tmp('gameday-screen-');
  const state = join(dir, 'state');
  mkdirSync(join(state, 'drills'), { recursive: true });
  writeRecordedScenario(dir);
  return { dir, state, env: cliEnv({ state, cache: join(dir, 'cache') }) };
}

/** Starts `gameday screen …` and resolves with the URL it prints. */
function startScreen(dir: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'screen', ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += String(d);
      const url = /(http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ url, child });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (out += String(d)));
    child.once('exit', (code) => reject(new Error(`gameday screen exited ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`gameday screen printed no URL in 30 s: ${out}`)), 30_000);
  });
}

describe('gameday screen in Chromium', () => {
  it('follows a drill appended by another process within 1 s, and never shows what the players must not see', async () => {
    const { dir, state, env } = setup();
    const journals = new JournalStore(state);
    const writer = journals.open(DRILL);
    const startMs = Date.now() - 700_000; // the recorded drill began 11+ minutes ago: the clock reads like a real one
    const steps = recordedSteps(startMs);
    // the journal exists with its first step before the screen starts; the rest arrives live
    for (const b of steps[0]!.bodies) writer.append(b, new Date(startMs));
    const { url } = await startScreen(dir, env, DRILL, '--port', '0');
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const watch = watchPage(page);
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.seq === '1', undefined, { timeout: 10_000 });
    expect(await page.textContent('#briefing')).toBe(BRIEFING); // from the scenario file, which also holds the secrets

    const latencies: { step: string; ms: number }[] = [];
    for (const step of steps.slice(1)) {
      const before = Date.now();
      let seq = 0;
      for (const b of step.bodies) seq = writer.append(b, new Date(startMs + step.at * 1000)).seq;
      await page.waitForFunction((s) => Number(document.body.dataset.seq) >= s, seq, { timeout: 5_000, polling: 10 });
      latencies.push({ step: step.name, ms: Date.now() - before });
      const html = await page.content();
      const ended = step.name === 'drill end';
      for (const secret of SECRETS) expect(html, `step "${step.name}" shows a secret`).not.toContain(secret);
      HINTS.forEach((h, i) => {
        if (step.revealed.includes(i)) expect(html, `step "${step.name}": hint ${i + 1} revealed`).toContain(h);
        else expect(html, `step "${step.name}": hint ${i + 1} not revealed yet`).not.toContain(h);
      });
      // at the end the faults are told (a positive control: the check above would see them)
      for (const t of [...TARGETS, ...KINDS]) {
        if (ended) expect(html).toContain(t);
        else expect(html, `step "${step.name}" names ${t} before the end`).not.toContain(t);
      }
      if (step.name === 'recovered') await page.screenshot({ path: join(dir, 'screen-mid-drill.png') });
    }
    writer.close();
    console.log(`screen latency from append to DOM (ms): ${latencies.map((l) => `${l.step} ${l.ms}`).join(', ')}; max ${Math.max(...latencies.map((l) => l.ms))}`);
    for (const l of latencies) expect(l.ms, `step "${l.step}"`).toBeLessThan(1000);

    expect(await page.textContent('#phase')).toBe('ended');
    expect(await page.textContent('#score')).toMatch(/^\d+\/100$/);
    expect(await page.textContent('#objectives')).toContain('Time to recover');
    const origin = new URL(url).origin;
    expect(watch.requests.filter((r) => new URL(r).origin !== origin)).toEqual([]);
    expect(watch.requests.some((r) => r.includes('/events'))).toBe(true); // it did watch: the check above saw requests
    expect(watch.errors).toEqual([]);
    await page.close();
    copyScreenshot(join(dir, 'screen-mid-drill.png'));
  });

  it('shared with --host: the URL carries a token, and requests without it get 403', async () => {
    const { dir, state, env } = setup();
    const w = new JournalStore(state).open(DRILL);
    for (const s of recordedSteps(Date.now() - 60_000).slice(0, 4)) for (const b of s.bodies) w.append(b);
    w.close();
    const { url } = await startScreen(dir, env, '--latest', '--host', '127.0.0.1', '--port', '0');
    const token = new URL(url).searchParams.get('token');
    expect(token).toMatch(/^[\w-]{20,}$/);
    const origin = new URL(url).origin;
    for (const path of ['/', '/events', '/favicon.ico', '/nothing']) {
      expect((await fetch(`${origin}${path}`)).status, path).toBe(403);
      expect((await fetch(`${origin}${path}?token=${token!.slice(1)}x`)).status, `${path} with a wrong token`).toBe(403);
    }
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.phase === 'live', undefined, { timeout: 10_000 });
    expect(await page.textContent('#faults')).toContain('fault 1');
    expect(watch.errors).toEqual([]);
    await page.close();
  });
});

describe('gameday screen --latest in Chromium', () => {
  it('moves to a newer drill as it starts: the page resets to it through its event stream', async () => {
    const { dir, state, env } = setup();
    const journals = new JournalStore(state);
    // the morning's drill, run to its end before the screen starts
    const morning = journals.open(DRILL);
    const morningStart = Date.now() - 3 * 3_600_000;
    for (const s of recordedSteps(morningStart)) for (const b of s.bodies) morning.append(b, new Date(morningStart + s.at * 1000));
    morning.close();
    const { url, child } = await startScreen(dir, env, '--latest', '--port', '0');
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const watch = watchPage(page);
    await page.goto(url);
    await page.waitForFunction((id) => document.body.dataset.drill === id && document.body.dataset.phase === 'ended', DRILL, { timeout: 10_000 });
    expect(await page.textContent('#conn')).toBe('final · waiting for the next drill'); // ended, yet still listening

    // the afternoon's drill starts, its journal written by this process (not the screen's)
    const AFTERNOON = '20261203-160000-shop-outage-efgh';
    const afternoon = journals.open(AFTERNOON);
    const steps = recordedSteps(Date.now());
    const before = Date.now();
    for (const b of steps[0]!.bodies) afternoon.append(b);
    await page.waitForFunction((id) => document.body.dataset.drill === id, AFTERNOON, { timeout: 1_500, polling: 10 });
    console.log(`screen --latest: the page showed the newer drill ${Date.now() - before} ms after its first line`);
    expect(await page.evaluate(() => document.body.dataset.phase)).toBe('briefing');
    expect(await page.isVisible('#result')).toBe(false); // the morning's result is gone
    expect(await page.textContent('#briefing')).toBe(BRIEFING);
    // and it follows the new drill on: a fault goes in, the clock runs
    for (const s of steps.slice(1, 4)) for (const b of s.bodies) afternoon.append(b);
    afternoon.close();
    await page.waitForFunction(() => document.body.dataset.phase === 'live', undefined, { timeout: 5_000 });
    expect(stderr).toContain(`now showing ${AFTERNOON}, the newest drill`);
    expect(watch.errors).toEqual([]);
    await page.close();
  });
});

describe('the HTML report in Chromium', () => {
  it('draws the recorded drill\'s timeline with no request and no console error', async () => {
    const { dir, state, env } = setup();
    const w = new JournalStore(state).open(DRILL);
    const startMs = Date.parse('2026-12-03T14:00:00.000Z');
    for (const s of recordedSteps(startMs)) for (const b of s.bodies) w.append(b, new Date(startMs + s.at * 1000));
    w.close();
    const r = runCli(['report', DRILL, '--format', 'html', '--out', 'report.html'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const watch = watchPage(page);
    await page.goto(`file://${join(dir, 'report.html')}`);
    // the kinds the timeline draws, one marker each: 2 faults, 7 probe results, 2 hints, 4 marks (a note is a mark too)
    const count = (sel: string) => page.locator(sel).count();
    expect(await count('svg [data-event="fault-injected"]')).toBe(2);
    expect(await count('svg [data-event="probe-result"]')).toBe(7);
    expect(await count('svg [data-event="hint-revealed"]')).toBe(2);
    expect(await count('svg [data-event="mark"]')).toBe(4); // detected, the note, diagnosed, mitigated
    expect(await count('svg [data-objective]')).toBe(4);
    await page.locator('figure.glance').evaluate((f) => f.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(dir, 'report-timeline.png') });
    expect(watch.requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    expect(watch.errors).toEqual([]);
    await page.close();
    copyScreenshot(join(dir, 'report-timeline.png'));
  });
});

/** GAMEDAY_SCREENSHOTS=<dir>: keep the screenshot (docs/screenshots is where the README shows them). */
function copyScreenshot(file: string): void {
  const to = process.env.GAMEDAY_SCREENSHOTS;
  if (!to) return;
  const dest = join(to.startsWith('/') ? to : join(ROOT, to), basename(file));
  copyFileSync(file, dest);
}

