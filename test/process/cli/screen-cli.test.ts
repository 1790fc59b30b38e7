/**
 * `gameday screen` refusing clearly (one error line and a hint, exit 2, never a stack or a hang), and
 * `gameday run --screen` streaming a real drill (the test injector) from before it starts to its end.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import { BIN, cliEnv, ensureBuilt, runCli, writeMarkerScenario } from '../../helpers/cli.js';
import { tmp } from '../../helpers/drill.js';
import { recordedSteps } from '../../helpers/recorded-drill.js';

beforeAll(() => ensureBuilt(), 180_000);

function setup(withDrill: boolean) {
  const dir = tmp('gameday-screen-cli-');
  const state = join(dir, 'state');
  mkdirSync(join(state, 'drills'), { recursive: true });
  if (withDrill) {
    const w = new JournalStore(state).open('20261203-140000-shop-outage-abcd');
    for (const b of recordedSteps(Date.now())[0]!.bodies) w.append(b);
    w.close();
  }
  const env = cliEnv({ state, cache: join(dir, 'cache') });
  return (...args: string[]) => runCli(['screen', ...args], { cwd: dir, env, timeoutMs: 20_000 });
}

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error: '));

describe('gameday screen refuses', () => {
  it.each([
    ['an unknown drill id', true, ['20991231-000000-nope-0000'], /no drill 20991231-000000-nope-0000 in/],
    ['something that is not a drill id', true, ['../etc/passwd'], /not a drill id/],
    ['an id and --latest', true, ['20261203-140000-shop-outage-abcd', '--latest'], /not both/],
    ['a port that is not one', true, ['--port', '70000'], /--port: "70000" is not a port number/],
    ['an address not of this machine', true, ['--host', '203.0.113.7', '--port', '0'], /cannot listen on 203\.0\.113\.7/],
  ])('%s: exit 2 and one error line', (_what, withDrill, args, message) => {
    const r = setup(withDrill)(...args);
    expect(r.code, r.stderr).toBe(2);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('    at ');
  });

  it('a port in use: exit 2, naming the port, with a hint', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = setup(true)('--port', String(port));
      expect(r.code, r.stderr).toBe(2);
      expect(errorLines(r.stderr)).toEqual([`error: port ${port} on 127.0.0.1 is in use`]);
      expect(r.stderr).toContain('hint: pick another with --port');
    } finally {
      taken.close();
    }
  });
});

describe('gameday screen --latest before any drill', () => {
  it('waits for the first drill (the TV is switched on before the afternoon starts), then shows it as it starts', async () => {
    const dir = tmp('gameday-screen-wait-');
    const state = join(dir, 'state');
    const child = spawn(process.execPath, [BIN, 'screen', '--latest', '--port', '0'], { cwd: dir, env: cliEnv({ state, cache: join(dir, 'cache') }), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stderr.on('data', (d) => (out += String(d)));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += String(d);
          const m = /waiting for the first drill in .*: (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`screen exited (${code}) before printing its URL:\n${out}`)));
      });
      const res = await fetch(`${url.replace(/\/$/, '')}/events`, { signal: AbortSignal.timeout(15_000) });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let stream = '';
      const nextView = async (until: (v: { phase: string; title: string }) => boolean) => {
        for (;;) {
          const views = [...stream.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as { phase: string; title: string });
          const hit = views.find(until);
          if (hit) return hit;
          const { value, done } = await reader.read();
          if (done) throw new Error(`the stream ended:\n${stream}`);
          stream += value;
        }
      };
      expect((await nextView(() => true)).phase).toBe('waiting');
      // the first drill starts (written by another process, as a drill would)
      const w = new JournalStore(state).open('20261204-140000-shop-outage-wxyz');
      for (const b of recordedSteps(Date.now())[0]!.bodies) w.append(b);
      w.close();
      const view = await nextView((v) => v.phase !== 'waiting');
      expect(view.title).toBe('The shop is down');
      await reader.cancel();
      expect(out).toContain('now showing 20261204-140000-shop-outage-wxyz');
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);
});

describe('gameday run --screen', () => {
  it('serves the drill from its start to its end: the page is told the end before the run exits', async () => {
    const dir = tmp('gameday-run-screen-');
    writeFileSync(join(dir, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n');
    writeMarkerScenario(dir, 'marker-drill', [{ dir: join(dir, 'markers'), names: 'h', duration: '1s' }]);
    const env = cliEnv({ state: join(dir, 'state'), cache: join(dir, 'cache') }, { GAMEDAY_ENABLE_TEST_INJECTORS: '1' });
    const child = spawn(process.execPath, [BIN, 'run', 'marker-drill', '--env', 'lab', '--yes', '--screen', '--screen-port', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr.on('data', (d) => (out += String(d)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += String(d);
        const m = /room screen: (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`run exited before printing the screen's URL:\n${out}`)));
    });
    // an SSE reader, as the page is: every view until the server closes the stream
    const res = await fetch(new URL('events', url));
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const views: { phase: string; title: string; briefing?: string; drillId?: string }[] = [];
    let buffer = '';
    for await (const chunk of res.body!) {
      buffer += Buffer.from(chunk).toString('utf8');
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const data = buffer.slice(0, i).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        buffer = buffer.slice(i + 2);
        if (data) views.push(JSON.parse(data));
      }
    }
    const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)));
    expect(code, out).toBe(0);
    const phases = views.map((v) => v.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(['waiting', 'briefing', 'live']).toContain(phases[0]); // the URL is printed before the preflight: usually still waiting
    expect(phases[phases.length - 1]).toBe('ended');
    expect(phases).toContain('live');
    const last = views[views.length - 1]!;
    expect(last).toMatchObject({ title: 'Marker files appear', briefing: 'Something changed on disk.' }); // the briefing from the journal itself
    expect(JSON.stringify(views)).not.toContain('The test injector writes marker files.'); // the facilitator's summary
  });
});
