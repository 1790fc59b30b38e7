/** `gameday report --format pdf`: the HTML report printed by the machine's Chromium (its command line), or a one-line refusal without one. */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import { CHROMIUM } from '../../helpers/browser.js';
import { cliEnv, ensureBuilt, runCli } from '../../helpers/cli.js';
import { tmp } from '../../helpers/drill.js';
import { recordedSteps } from '../../helpers/recorded-drill.js';

const DRILL = '20261203-140000-shop-outage-abcd';
beforeAll(() => ensureBuilt(), 180_000);

function setup(extra: Record<string, string> = {}) {
  const dir = tmp('gameday-pdf-');
  const state = join(dir, 'state');
  mkdirSync(join(state, 'drills'), { recursive: true });
  const w = new JournalStore(state).open(DRILL);
  const start = Date.parse('2026-12-03T14:00:00.000Z');
  for (const s of recordedSteps(start)) for (const b of s.bodies) w.append(b, new Date(start + s.at * 1000));
  w.close();
  const env = cliEnv({ state, cache: join(dir, 'cache') }, extra);
  return { dir, gd: (...args: string[]) => runCli(['report', DRILL, ...args], { cwd: dir, env, timeoutMs: 90_000 }) };
}

describe('gameday report --format pdf', () => {
  it('prints the HTML report to a PDF with Chromium', () => {
    expect(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium (npm test does)`).toBe(true);
    const { dir, gd } = setup({ GAMEDAY_CHROMIUM: CHROMIUM });
    const started = Date.now();
    const r = gd('--format', 'pdf', '--out', 'report.pdf');
    expect(r.code, r.stderr).toBe(0);
    const pdf = readFileSync(join(dir, 'report.pdf'));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(statSync(join(dir, 'report.pdf')).size).toBeGreaterThan(10_000);
    console.log(`report --format pdf: ${Date.now() - started} ms, ${pdf.length} bytes`);
  });

  it('without Chromium: one line saying so, what to do instead, exit 2, and no file', () => {
    const { dir, gd } = setup({ GAMEDAY_CHROMIUM: '/nonexistent/chromium' });
    const r = gd('--format', 'pdf', '--out', 'report.pdf');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual(['error: --format pdf needs Chromium, and there is none on this machine']);
    expect(r.stderr).toContain('--format html');
    expect(existsSync(join(dir, 'report.pdf'))).toBe(false);
  });

  it('needs --out', () => {
    const r = setup().gd('--format', 'pdf');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('add --out FILE.pdf');
  });
});
