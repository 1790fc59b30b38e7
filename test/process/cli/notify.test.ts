/**
 * Issue 13, notifications and stop conditions through the built CLI: unattended drills of the test
 * injector with a Slack-compatible webhook pointing at a local HTTP server of this test (the
 * payloads it receives are checked), at a dead port, and at a server that never answers (the
 * verdict and exit code stay the same, the wait stays bounded). A steady-state probe of the same
 * server turned to 500 mid-drill is a stop condition: abort, revert, exit 1, an `abort` notice.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv, ensureBuilt, writeMarkerScenario } from '../../helpers/cli.js';

let tmp: string;
let server: Server;
let port: number;
const received: { path: string; body: { text?: string } }[] = [];
let healthy = true;

const readBody = (req: IncomingMessage) => new Promise<string>((r) => {
  let b = '';
  req.on('data', (d) => (b += String(d)));
  req.on('end', () => r(b));
});

beforeAll(async () => {
  await ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'gd-notify-'));
  server = createServer(async (req, res) => {
    if (req.url === '/health') return void res.writeHead(healthy ? 200 : 500).end(healthy ? 'ok' : 'down');
    if (req.url === '/hang') return; // accepts, never answers
    received.push({ path: req.url ?? '', body: JSON.parse(await readBody(req)) as { text?: string } });
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  // a port nobody listens on: taken, then given back
  const spare = createServer();
  await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
  const deadPort = (spare.address() as AddressInfo).port;
  await new Promise((r) => spare.close(r));
  const hook = (path: string, timeout = '') => `    notify: { webhook: "http://127.0.0.1:${path}"${timeout} }\n`;
  writeFileSync(
    join(tmp, 'gameday.yaml'),
    'environments:\n' +
      `  lab:\n    critical: false\n${hook(`${port}/hook`)}` +
      `  dead:\n    critical: false\n${hook(`${deadPort}/hook`)}` +
      `  slow:\n    critical: false\n${hook(`${port}/hang`, ', timeout: 1s')}`,
  );
  writeMarkerScenario(tmp, 'marker-drill', [{ dir: join(tmp, 'markers'), names: 'n', duration: '1s' }], '2s');
  writeFileSync(
    join(tmp, 'scenarios', 'guarded.yaml'),
    [
      'id: guarded',
      'title: Markers, guarded by a health probe',
      'summary: A marker fault; the health probe is a stop condition.',
      'briefing: Something changed on disk.',
      'faults:',
      `  - { kind: test.marker, target: { dir: ${JSON.stringify(join(tmp, 'gmarkers'))}, names: g }, duration: 60s }`,
      'steadyState:',
      `  - { name: health, type: http, url: "http://127.0.0.1:${port}/health", expectStatus: 200, interval: 500ms }`,
      'stopConditions:',
      '  - { probe: health, tolerance: 1s }',
      'timeLimit: 60s',
      '',
    ].join('\n'),
  );
}, 300_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

/** `gameday run` as a child process (the test's server must keep answering meanwhile). */
function gd(args: string[]): { done: Promise<{ code: number | null; out: string; ms: number }> } {
  const started = Date.now();
  const env = cliEnv({ state: join(tmp, 'state'), cache: join(tmp, 'cache') }, { GAMEDAY_ENABLE_TEST_INJECTORS: '1' });
  const c = spawn(process.execPath, [BIN, ...args], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  c.stdout.on('data', (d) => (out += String(d)));
  c.stderr.on('data', (d) => (out += String(d)));
  return { done: new Promise((r) => c.on('close', (code) => r({ code, out, ms: Date.now() - started }))) };
}

describe('webhook notifications', () => {
  it('start and verdict (with the report path) reach the webhook as Slack-compatible {"text"} payloads', async () => {
    received.length = 0;
    const report = join(tmp, 'report.xml');
    const r = await gd(['run', 'marker-drill', '--env', 'lab', '--yes', '--report', report]).done;
    expect(r.code, r.out).toBe(0);
    expect(received.map((p) => Object.keys(p.body))).toEqual([['text'], ['text']]);
    expect(received[0]!.body.text).toMatch(/^:arrow_forward: gameday start: marker-drill on lab \(\S+\) — unattended drill started: 1 fault target\(s\)/);
    expect(received[1]!.body.text).toMatch(/^:checkered_flag: gameday verdict: marker-drill on lab \(\S+\) — passed; report: /);
    expect(received[1]!.body.text).toContain(report);
  }, 60_000);

  it('a dead webhook (refused) and one that never answers change neither the verdict nor the exit code, and do not hold the drill', async () => {
    const dead = await gd(['run', 'marker-drill', '--env', 'dead', '--yes']).done;
    expect(dead.code, dead.out).toBe(0);
    expect(dead.out).toMatch(/warning: webhook failed for the start notice: .*ECONNREFUSED.*\(the drill carries on\)/);
    const slow = await gd(['run', 'marker-drill', '--env', 'slow', '--yes']).done;
    expect(slow.code, slow.out).toBe(0);
    expect(slow.out).toMatch(/warning: webhook failed for the verdict notice: no answer within 1 s/);
    // the drill's own ≈ 2 s time limit plus at most one webhook timeout for the last notice
    console.log(`dead webhook: ${dead.ms} ms; hanging webhook (1 s timeout): ${slow.ms} ms`);
    expect(slow.ms).toBeLessThan(dead.ms + 4_000);
  }, 90_000);
});

describe('stop conditions', () => {
  it('a steady-state probe failing past its tolerance aborts the drill: reverted, journaled, exit 1, an abort notice', async () => {
    received.length = 0;
    healthy = true;
    const run = gd(['run', 'guarded', '--env', 'lab', '--yes', '--report', join(tmp, 'guarded.xml')]);
    const journals = join(tmp, 'state', 'drills');
    const journalText = () => (existsSync(journals) && readdirOne(journals, 'guarded') ? readFileSync(join(journals, readdirOne(journals, 'guarded')!), 'utf8') : '');
    const until = Date.now() + 30_000;
    while (!journalText().includes('"type":"fault-injected"') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const brokeAt = Date.now();
    healthy = false;
    const r = await run.done;
    healthy = true;
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/stop condition: probe health failing for \S+ \(tolerance 1s\)/);
    const texts = received.map((p) => p.body.text ?? '');
    expect(texts[1]).toMatch(/^:octagonal_sign: gameday abort: guarded on lab .* stop condition: probe health failing/);
    expect(texts[2]).toMatch(/^:checkered_flag: gameday verdict: guarded on lab .* failed: drill aborted by its stop condition/);
    expect(readFileSync(join(tmp, 'guarded.xml'), 'utf8')).toMatch(/<failure message="drill aborted">/);
    const text = journalText();
    expect(text).toMatch(/"type":"drill-ended","reason":"aborted","detail":"stop condition: probe health failing/);
    expect(text).toMatch(/"type":"fault-revert-started","faultId":"[^"]+","reason":"rollback"/);
    console.log(`probe broken → drill over in ${Date.now() - brokeAt} ms (tolerance 1 s, probe interval 0.5 s)`);
  }, 90_000);
});

function readdirOne(dir: string, part: string): string | undefined {
  return readdirSync(dir).filter((f) => f.includes(part) && f.endsWith('.jsonl')).sort().at(-1);
}
