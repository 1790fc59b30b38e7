/**
 * One reverter per fault: the claim is exclusive across processes (many racing processes, one
 * winner, every time), names its holder, is taken over when its holder died, is released only by
 * its holder, and a waiter gets it as soon as it is released or gives up when its signal aborts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultClaims } from '../../../src/adapters/fault-claim.js';
import { ensureBuilt } from '../../helpers/cli.js';

const RACER = resolve(import.meta.dirname, '../../fixtures/claim-racer.mjs');
let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'gd-claims-'));
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DEAD_PID = 2 ** 22 + 4321; // above pid_max's default: never alive

describe('fault claims', () => {
  it('is exclusive, names its holder, and is released only by its holder', () => {
    const claims = new FaultClaims(join(dir, 'c1'));
    const a = claims.tryClaim('d1', 'f1', 'halt');
    expect(a.ok).toBe(true);
    const b = claims.tryClaim('d1', 'f1', 'recover');
    expect(b).toMatchObject({ ok: false, holder: { pid: process.pid, host: hostname(), reason: 'halt' } });
    expect(claims.tryClaim('d1', 'f2', 'recover').ok).toBe(true); // another fault: independent
    if (a.ok) a.claim.release();
    expect(claims.holder('d1', 'f1')).toBeUndefined();
    expect(claims.tryClaim('d1', 'f1', 'recover').ok).toBe(true);
  });

  it("an inject's claims at once (one text linked under each name): each exclusive and released alone; a taken one names its holder, a stale one is taken over", () => {
    const claims = new FaultClaims(join(dir, 'c5'));
    const held = claims.tryClaim('d1', 'f2', 'halt');
    writeFileSync(claims.fileOf('d1', 'f3'), JSON.stringify({ pid: DEAD_PID, host: hostname(), reason: 'deadline', at: 'x' }));
    const all = claims.tryClaimAll('d1', ['f1', 'f2', 'f3', 'f4'], 'inject');
    expect(all.map((a) => a.ok)).toEqual([true, false, true, true]);
    expect(all[1]).toMatchObject({ ok: false, holder: { pid: process.pid, reason: 'halt' } });
    for (const f of ['f1', 'f3', 'f4']) expect(claims.holder('d1', f)).toMatchObject({ pid: process.pid, host: hostname(), reason: 'inject' });
    expect(claims.tryClaim('d1', 'f1', 'recover').ok).toBe(false);
    // released one by one: the others stay held, and nothing but the claims is left behind
    if (all[0]!.ok) all[0]!.claim.release();
    expect(claims.holder('d1', 'f1')).toBeUndefined();
    expect(claims.holder('d1', 'f4')?.reason).toBe('inject');
    for (const a of all) if (a.ok) a.claim.release();
    if (held.ok) held.claim.release();
    expect(readdirSync(join(dir, 'c5', 'd1'))).toEqual([]);
    expect(claims.tryClaimAll('d1', [], 'inject')).toEqual([]);
  });

  it('a claim whose holder died (or whose file is torn) is taken over', () => {
    const claims = new FaultClaims(join(dir, 'c2'));
    const file = claims.fileOf('d1', 'f1');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: DEAD_PID, host: hostname(), reason: 'deadline', at: 'x' }));
    expect(claims.holder('d1', 'f1')).toBeUndefined();
    expect(claims.tryClaim('d1', 'f1', 'halt').ok).toBe(true);
    const torn = claims.fileOf('d1', 'f2');
    writeFileSync(torn, '{"pid":12');
    expect(claims.tryClaim('d1', 'f2', 'halt').ok).toBe(true);
  });

  it('a claim held on another host is never broken', () => {
    const claims = new FaultClaims(join(dir, 'c3'));
    const file = claims.fileOf('d1', 'f1');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: DEAD_PID, host: 'elsewhere', reason: 'halt', at: 'x' }));
    expect(claims.tryClaim('d1', 'f1', 'recover')).toMatchObject({ ok: false, holder: { host: 'elsewhere' } });
  });

  it('a waiter gets the claim once it is released, and gives up when its signal aborts', async () => {
    const claims = new FaultClaims(join(dir, 'c4'));
    const first = claims.tryClaim('d1', 'f1', 'deadline');
    if (!first.ok) throw new Error('unexpected');
    const heard: number[] = [];
    const waiting = claims.claim('d1', 'f1', 'halt', { signal: new AbortController().signal, onWait: (h) => heard.push(h.pid), pollMs: 10 });
    setTimeout(() => first.claim.release(), 100);
    const got = await waiting;
    expect(got.claim).toBeDefined();
    expect(got.waitedFor?.reason).toBe('deadline');
    expect(heard).toEqual([process.pid]);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const none = await claims.claim('d1', 'f1', 'recover', { signal: stop.signal, pollMs: 10 });
    expect(none.claim).toBeUndefined();
    expect(none.waitedFor?.reason).toBe('halt');
    got.claim!.release();
  });

  it('8 processes racing for one fault, 15 times: exactly one wins each time', async () => {
    const claimsDir = join(dir, 'race');
    for (let round = 0; round < 15; round++) {
      const startAt = Date.now() + 600; // all started, then all try at once
      const releaseWhen = join(dir, `answered-${round}`);
      const outs: string[] = [];
      const racers = Array.from({ length: 8 }, () =>
        new Promise<void>((res) => {
          const c = spawn(process.execPath, [RACER, claimsDir, 'd1', `f${round}`, String(startAt), releaseWhen], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          c.stdout.on('data', (d) => {
            out += String(d);
            if (out.endsWith('\n')) {
              outs.push(out.trim());
              if (outs.length === 8) writeFileSync(releaseWhen, ''); // every racer has tried: the winner may let go
            }
          });
          c.on('exit', () => res());
        }),
      );
      await Promise.all(racers);
      expect(outs, `round ${round}`).toHaveLength(8);
      expect(outs.filter((o) => o === 'won'), `round ${round}: ${outs.join(', ')}`).toHaveLength(1);
      expect(existsSync(new FaultClaims(claimsDir).fileOf('d1', `f${round}`))).toBe(false); // released by its holder
    }
  }, 120_000);
});
