/**
 * The demo shop server (src/sandbox/shop): its Go tests, and the binary provision-node.sh built
 * ($GAMEDAY_CACHE/bin/shop) run directly on free 127.0.0.1 ports — checkout against a real catalog
 * and stand-in db: 200; with the db stopped: 503 naming the db and "connection refused".
 * Every process is killed in afterAll; every wait is bounded.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { cacheDir } from '../../../src/adapters/cache-dir.js';

const exec = promisify(execFile);
const cache = cacheDir();
const shopBin = join(cache, 'bin', 'shop');
const shopSrc = new URL('../../../src/sandbox/shop', import.meta.url).pathname;

interface Proc { child: ChildProcess; out: string[]; exited: Promise<number | null> }
const procs: Proc[] = [];

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 3000))])));
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startShop(role: string, env: Record<string, string> = {}): Promise<Proc & { addr: string }> {
  if (!existsSync(shopBin)) throw new Error(`${shopBin} is missing: run \`bash src/sandbox/provision-node.sh shop\``);
  const addr = `127.0.0.1:${await freePort()}`;
  const child = spawn(shopBin, ['--role', role, '--listen', addr], {
    env: { PATH: process.env.PATH, POD_NAME: `${role}-test-pod`, NODE_NAME: 'test-node', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  child.stdout!.on('data', (d) => out.push(String(d)));
  child.stderr!.on('data', (d) => out.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const p = { child, out, exited, addr };
  procs.push(p);
  const deadline = Date.now() + 10_000;
  while (!out.join('').includes('listening on')) {
    if (child.exitCode !== null) throw new Error(`shop --role ${role} exited: ${out.join('')}`);
    if (Date.now() > deadline) throw new Error(`shop --role ${role} did not start within 10 s: ${out.join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return p;
}

async function getJSON(url: string) {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(res.headers.get('content-type')).toBe('application/json');
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** SIGTERM, then the exit code; fails if the process takes longer than the 2 s grace (+ slack) */
async function stop(p: Proc): Promise<number | null> {
  const t0 = Date.now();
  p.child.kill('SIGTERM');
  const code = await Promise.race([p.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), 4000))]);
  expect(code, `exit after SIGTERM (${Date.now() - t0} ms)`).not.toBe('late');
  return code as number | null;
}

describe('shop server (Go)', () => {
  test('go vet and go test pass', { timeout: 300_000 }, async () => {
    const env = {
      ...process.env,
      GOMODCACHE: join(cache, 'go', 'mod'),
      GOCACHE: join(cache, 'go', 'build'),
      GOFLAGS: '-buildvcs=false -mod=mod',
      GOTOOLCHAIN: 'local',
    };
    await exec('go', ['vet', './...'], { cwd: shopSrc, env, timeout: 280_000 });
    const { stdout } = await exec('go', ['test', '-count=1', './...'], { cwd: shopSrc, env, timeout: 280_000 });
    expect(stdout).toMatch(/^ok\s+gameday\.dev\/sandbox\/shop/m);
  });
});

describe('shop binary over HTTP', () => {
  test('checkout answers 200 with the catalog pod that served it, then 503 naming the db when the db stops', async () => {
    const catalog = await startShop('catalog');
    const db = await startShop('db', { SHOP_DB_NAME: 'shop-db-test' });
    const checkout = await startShop('checkout', { CATALOG_URL: `http://${catalog.addr}/items`, DB_ADDR: db.addr, DOWNSTREAM_TIMEOUT: '2s' });

    const items = await getJSON(`http://${catalog.addr}/items`);
    expect(items.status).toBe(200);
    expect(items.body).toMatchObject({ pod: 'catalog-test-pod', node: 'test-node', role: 'catalog' });
    expect((items.body.items as unknown[]).length).toBeGreaterThan(0);

    const ok = await getJSON(`http://${checkout.addr}/checkout`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      pod: 'checkout-test-pod', node: 'test-node', role: 'checkout', ok: true,
      catalog: { ok: true, servedBy: { pod: 'catalog-test-pod', node: 'test-node' } },
      db: { addr: db.addr, ok: true },
    });
    expect((await getJSON(`http://${checkout.addr}/`)).status).toBe(200);
    // requests are logged, one line each
    expect(checkout.out.join('')).toMatch(/GET \/checkout 200 /);

    expect(await stop(db)).toBe(0);
    const down = await getJSON(`http://${checkout.addr}/checkout`);
    expect(down.status).toBe(503);
    expect(down.body.failed).toEqual(['db']);
    expect(down.body.db).toMatchObject({ addr: db.addr, ok: false });
    expect((down.body.db as { error: string }).error).toBe(`dial tcp ${db.addr}: connect: connection refused`);
    expect(down.body.error).toMatch(/^db: .*connection refused/);
    // readiness does not follow the downstreams
    expect((await getJSON(`http://${checkout.addr}/readyz`)).status).toBe(200);
    expect((await getJSON(`http://${checkout.addr}/healthz`)).status).toBe(200);

    expect(await stop(checkout)).toBe(0);
    expect(await stop(catalog)).toBe(0);
  });

  test('the stand-in db greets each connection with its name', async () => {
    const db = await startShop('db', { SHOP_DB_NAME: 'orders-db' });
    const [host, port] = db.addr.split(':');
    const { createConnection } = await import('node:net');
    const line = await new Promise<string>((resolve, reject) => {
      const sock = createConnection({ host, port: Number(port) });
      const timer = setTimeout(() => { sock.destroy(); reject(new Error('no greeting within 5 s')); }, 5000);
      sock.once('data', (d) => { clearTimeout(timer); sock.end(); resolve(String(d)); });
      sock.once('error', reject);
    });
    expect(line).toMatch(/^orders-db ready/);
    expect(await stop(db)).toBe(0);
  });
});
