/**
 * A real browser for tests: Debian's Chromium driven by playwright-core (both installed by the test
 * command, scripts/test.sh). When it cannot start, the test fails with the reason and the fix —
 * never a skip: a page nobody looked at is not tested.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.GAMEDAY_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (\`npm test\` does, through scripts/test.sh)`);
  try {
    return await chromium.launch({ executablePath: CHROMIUM, timeout: 60_000 });
  } catch (e) {
    throw new Error(`Chromium at ${CHROMIUM} did not start: ${(e as Error).message.split('\n').slice(0, 6).join('\n')}`);
  }
}

/** Everything a page did that a test must see: console errors, uncaught exceptions, every request's URL. */
export interface PageWatch {
  errors: string[];
  requests: string[];
}

export function watchPage(page: Page): PageWatch {
  const w: PageWatch = { errors: [], requests: [] };
  page.on('console', (m) => void (m.type() === 'error' && w.errors.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => w.errors.push(`page error: ${e.message}`));
  // ERR_ABORTED is the page cancelling a request itself (the screen closes its event stream once the drill has ended)
  page.on('requestfailed', (r) => void (r.failure()?.errorText !== 'net::ERR_ABORTED' && w.errors.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`)));
  page.on('request', (r) => w.requests.push(r.url()));
  return w;
}
