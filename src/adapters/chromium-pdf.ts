/**
 * The HTML report printed to PDF by the machine's Chromium, through its command line
 * (`--headless --print-to-pdf`): no browser library at run time, and nothing when there is no
 * Chromium but a one-line refusal that says what to do instead.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GamedayError } from '../core/errors.js';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const PRINT_TIMEOUT_MS = 60_000;

/** GAMEDAY_CHROMIUM, else the first Chromium on PATH; undefined when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.GAMEDAY_CHROMIUM ? [env.GAMEDAY_CHROMIUM] : (env.PATH ?? '').split(delimiter).filter(Boolean).flatMap((dir) => NAMES.map((n) => join(dir, n)));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Prints `html` to `pdfFile`. A throwaway profile, so a Chromium the user has open is never disturbed. */
export async function printPdf(html: string, pdfFile: string, signal?: AbortSignal): Promise<void> {
  const chromium = findChromium();
  if (!chromium) {
    throw new GamedayError('INVALID_INPUT', '--format pdf needs Chromium, and there is none on this machine', { hint: 'install it (Debian: apt-get install chromium; or set GAMEDAY_CHROMIUM), or write --format html and print it from a browser' });
  }
  const work = mkdtempSync(join(tmpdir(), 'gameday-pdf-'));
  try {
    const page = join(work, 'report.html');
    writeFileSync(page, html);
    // --no-sandbox: Chromium refuses to run as root otherwise; the page is our own report, with no scripts
    const args = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${join(work, 'profile')}`, '--no-pdf-header-footer', `--print-to-pdf=${pdfFile}`, pathToFileURL(page).href];
    const { code, stderr } = await run(chromium, args, signal);
    const pdf = safeHead(pdfFile);
    if (code !== 0 || pdf !== '%PDF') {
      const last = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/unexpected operator/.test(l)).pop();
      throw new GamedayError('BACKEND_FAILED', `Chromium (${chromium}) did not print the PDF${code !== 0 ? ` (exit ${code})` : ''}${last ? `: ${last.slice(0, 200)}` : ''}`, { hint: 'write --format html and print it from a browser' });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function safeHead(file: string): string {
  try {
    return readFileSync(file).subarray(0, 4).toString('latin1');
  } catch {
    return '';
  }
}

function run(cmd: string, args: string[], signal?: AbortSignal): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], signal, timeout: PRINT_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
    child.once('error', (e) => (signal?.aborted ? reject(new GamedayError('INTERRUPTED', 'interrupted while printing the PDF', { cause: e })) : reject(new GamedayError('BACKEND_FAILED', `cannot run ${cmd}: ${e.message}`, { cause: e }))));
    child.once('close', (code) => resolve({ code, stderr }));
  });
}
