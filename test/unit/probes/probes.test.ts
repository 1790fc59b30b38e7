/** Probes against real local servers: HTTP and TCP servers the test starts on 127.0.0.1. */
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createTcp, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProbePorts } from '../../../src/adapters/probes/index.js';
import { environmentSpec } from '../../../src/core/environment.js';
import { probeSpec, type ProbeSpec } from '../../../src/core/probe-spec.js';
import { judgeWorkload } from '../../../src/probes/k8s.js';
import { checkAll, checkProbe, startProbeLoop, type ProbeObservation } from '../../../src/probes/loop.js';
import { probePortsNeeded, probes } from '../../../src/probes/registry.js';
import { PROBE_TYPES } from '../../../src/core/probe-spec.js';
import { GamedayError } from '../../../src/core/errors.js';

const env = { ...environmentSpec.parse({ critical: false }), name: 'lab' };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
const signal = () => new AbortController().signal;
const spec = (s: Record<string, unknown>): ProbeSpec => probeSpec.parse(s);

async function http(handler: Parameters<typeof createHttp>[1]): Promise<string> {
  const server: Server = createHttp(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
async function tcp(): Promise<{ port: number; server: TcpServer; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createTcp((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => { sockets.forEach((s) => s.destroy()); server.close(() => r()); }));
  return { port: (server.address() as AddressInfo).port, server, sockets };
}
async function deadPort(): Promise<number> {
  const s = createTcp();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe('registry', () => {
  it('has one probe per type and knows which ports they need', () => {
    expect(Object.keys(probes).sort()).toEqual([...PROBE_TYPES].sort());
    expect(probePortsNeeded([spec({ name: 'a', type: 'http', url: 'http://x/' }), spec({ name: 'b', type: 'k8s', namespace: 'shop', resource: 'deployment/checkout' })])).toEqual(['http', 'workloads']);
  });
});

describe('http probe (real server)', async () => {
  const ports = await buildProbePorts(env, ['http', 'tcp']);
  it('passes on 2xx, fails on 5xx, checks status, body and latency', async () => {
    let status = 200;
    let delay = 0;
    const base = await http((req, res) => setTimeout(() => { res.writeHead(status); res.end('checkout ok'); }, delay));
    expect(await checkProbe(spec({ name: 'h', type: 'http', url: `${base}/` }), ports, signal())).toMatchObject({ ok: true, detail: 'HTTP 200' });
    expect(await checkProbe(spec({ name: 'h', type: 'http', url: `${base}/`, bodyContains: 'checkout ok' }), ports, signal())).toMatchObject({ ok: true });
    expect(await checkProbe(spec({ name: 'h', type: 'http', url: `${base}/`, bodyContains: 'nope' }), ports, signal())).toMatchObject({ ok: false, detail: 'HTTP 200, body lacks "nope"' });
    status = 503;
    expect(await checkProbe(spec({ name: 'h', type: 'http', url: `${base}/` }), ports, signal())).toMatchObject({ ok: false, detail: 'HTTP 503' });
    expect(await checkProbe(spec({ name: 'h', type: 'http', url: `${base}/`, expectStatus: 503 }), ports, signal())).toMatchObject({ ok: true });
    status = 200;
    delay = 300;
    const slow = await checkProbe(spec({ name: 'h', type: 'http', url: `${base}/`, maxLatency: '100ms' }), ports, signal());
    expect(slow.ok).toBe(false);
    expect(slow.detail).toContain('slow');
    expect(slow.latencyMs).toBeGreaterThanOrEqual(300);
  });
  it('a refused connection and a hung server are failed results, bounded by the timeout', async () => {
    const refused = await checkProbe(spec({ name: 'h', type: 'http', url: `http://127.0.0.1:${await deadPort()}/` }), ports, signal());
    expect(refused).toMatchObject({ ok: false, detail: 'connection refused' });
    const hung = await http(() => undefined); // never answers
    const t = Date.now();
    const r = await checkProbe(spec({ name: 'h', type: 'http', url: `${hung}/`, timeout: '300ms' }), ports, signal());
    expect(r).toMatchObject({ ok: false, detail: 'timed out' });
    expect(Date.now() - t).toBeLessThan(2000);
  });
});

describe('tcp probe (real server)', async () => {
  const ports = await buildProbePorts(env, ['tcp']);
  it('connects to a listening port and is refused by a closed one', async () => {
    const { port } = await tcp();
    expect(await checkProbe(spec({ name: 't', type: 'tcp', host: '127.0.0.1', port }), ports, signal())).toMatchObject({ ok: true, detail: 'connected' });
    expect(await checkProbe(spec({ name: 't', type: 'tcp', host: '127.0.0.1', port: await deadPort() }), ports, signal())).toMatchObject({ ok: false, detail: 'connection refused' });
  });
});

describe('k8s readiness judgement (pure)', () => {
  it.each([
    [{ desired: 3, ready: 3 }, undefined, true, '3/3 ready'],
    [{ desired: 3, ready: 2 }, undefined, false, '2/3 ready'],
    [{ desired: 3, ready: 2 }, 2, true, '2/3 ready (need 2)'],
    [undefined, undefined, false, 'not found'],
  ])('%o with minReady %s → ok %s', (status, minReady, ok, detail) => {
    expect(judgeWorkload(status, minReady)).toEqual({ ok, detail });
  });
});

describe('probe loop', () => {
  it('reports the first result and then only changes', async () => {
    let healthy = true;
    const base = await http((_q, res) => { res.writeHead(healthy ? 200 : 500); res.end(); });
    const ports = await buildProbePorts(env, ['http']);
    const seen: ProbeObservation[] = [];
    const ac = new AbortController();
    const loop = startProbeLoop({ specs: [spec({ name: 'web', type: 'http', url: `${base}/`, interval: '50ms' })], ports, signal: ac.signal, onChange: (o) => seen.push(o), onCrash: () => { throw new Error('no crash expected'); } });
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.map((o) => o.ok)).toEqual([true]);
    healthy = false;
    await new Promise((r) => setTimeout(r, 300));
    expect(loop.allOk()).toBe(false);
    healthy = true;
    await new Promise((r) => setTimeout(r, 300));
    await loop.stop();
    expect(seen.map((o) => o.ok)).toEqual([true, false, true]);
    expect(seen[1]!.detail).toBe('HTTP 500');
    expect(loop.view()[0]).toMatchObject({ name: 'web', ok: true });
  });

  it('a probe that throws is a crash, reported once', async () => {
    const ports = await buildProbePorts(env, []);
    const crashes: string[] = [];
    const broken = { ...ports, workloads: { get: async () => { throw new TypeError('boom'); }, watch: async () => undefined } };
    const loop = startProbeLoop({ specs: [spec({ name: 'ready', type: 'k8s', namespace: 'shop', resource: 'deployment/checkout' })], ports: broken, signal: signal(), onChange: () => undefined, onCrash: (p, e) => crashes.push(`${p}: ${e.message}`) });
    await new Promise((r) => setTimeout(r, 100));
    await loop.stop();
    // the k8s probe turns API errors into failed results; a failing watch is the crash path
    expect(crashes).toEqual([]);
    const loop2 = startProbeLoop({ specs: [spec({ name: 'ready', type: 'k8s', namespace: 'shop', resource: 'deployment/checkout' })], ports: { ...ports, workloads: { get: async () => ({ desired: 1, ready: 1 }), watch: async () => { throw new TypeError('watch gone'); } } }, signal: signal(), onChange: () => undefined, onCrash: (p, e) => crashes.push(`${p}: ${e.message}`) });
    await new Promise((r) => setTimeout(r, 100));
    await loop2.stop();
    expect(crashes).toEqual(['ready: probe "ready" crashed: watch gone']);
  });

  it('a k8s watch that loses the API server degrades to failed results and polling, then watches again', async () => {
    const ports = await buildProbePorts(env, []);
    let watches = 0;
    let reachable = false;
    const workloads = {
      get: async () => (reachable ? { desired: 2, ready: 2 } : Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }))),
      watch: async (_ns: string, _k: string, _n: string, onStatus: (s: { desired: number; ready: number }) => void, sig: AbortSignal) => {
        watches++;
        if (!reachable) throw new GamedayError('UNREACHABLE', 'watch of deployment/checkout keeps failing: ECONNREFUSED');
        onStatus({ desired: 2, ready: 2 });
        await new Promise((r) => sig.addEventListener('abort', r, { once: true }));
      },
    };
    const seen: ProbeObservation[] = [];
    const crashes: string[] = [];
    const loop = startProbeLoop({ specs: [spec({ name: 'ready', type: 'k8s', namespace: 'shop', resource: 'deployment/checkout', interval: '100ms' })], ports: { ...ports, workloads }, signal: signal(), onChange: (o) => seen.push(o), onCrash: (p, e) => crashes.push(`${p}: ${e.message}`) });
    await new Promise((r) => setTimeout(r, 250));
    reachable = true;
    await new Promise((r) => setTimeout(r, 300));
    await loop.stop();
    expect(crashes).toEqual([]);
    expect(seen.map((o) => [o.ok, o.detail])).toEqual([[false, 'API: connection refused'], [true, '2/2 ready']]);
    expect(watches).toBeGreaterThanOrEqual(2);
  });

  it('checkAll checks every probe once, in parallel', async () => {
    const base = await http((_q, res) => { res.writeHead(200); res.end(); });
    const { port } = await tcp();
    const ports = await buildProbePorts(env, ['http', 'tcp']);
    const r = await checkAll([spec({ name: 'web', type: 'http', url: `${base}/` }), spec({ name: 'db', type: 'tcp', host: '127.0.0.1', port })], ports, signal());
    expect(r.map((x) => [x.probe, x.ok])).toEqual([['web', true], ['db', true]]);
  });
});
