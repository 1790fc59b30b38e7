/**
 * The shared keep-alive agent of the Kubernetes clients (src/adapters/kube/bounded.ts): one per
 * TLS material, with one TLS context for all its sockets (a context per socket parsed the CA,
 * certificate and key again for each of the 16 sockets a large kill opens). Against a real
 * mutual-TLS server with the sandbox's kind of certificates: concurrent requests all present the
 * client certificate over at most MAX_SOCKETS sockets, kept alive for the next burst.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent as HttpsAgent, createServer, request, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepAliveAgent, MAX_SOCKETS } from '../../../../src/adapters/kube/bounded.js';
import { ensurePki } from '../../../../src/sandbox/pki.js';
import type { Pki } from '../../../../src/sandbox/components.js';

let dir: string;
let pki: Pki;
let server: Server;
let port: number;
const clients: string[] = [];
let connections = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gd-agent-'));
  pki = await ensurePki(join(dir, 'pki'));
  server = createServer({ key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert), ca: readFileSync(pki.caCert), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    clients.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? ''));
    setTimeout(() => res.end('ok'), 20); // long enough that a burst needs many sockets at once
  });
  server.on('secureConnection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
}, 60_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** an agent as client-node makes one per request: a plain https.Agent with the kubeconfig's TLS material */
const madeByClient = () => new HttpsAgent({ ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) });

const get = (agent: HttpsAgent) =>
  new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent, servername: 'localhost' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });

describe('the shared keep-alive agent', () => {
  it('is one agent per TLS material, with one TLS context for every socket; a proxy agent is left alone', () => {
    const a = keepAliveAgent(madeByClient())!;
    expect(a).toBeInstanceOf(HttpsAgent);
    expect(keepAliveAgent(madeByClient())).toBe(a);
    expect(a.options.secureContext).toBeDefined();
    expect(a.options).toMatchObject({ keepAlive: true, maxSockets: MAX_SOCKETS });
    // another client certificate: another agent and context
    const other = keepAliveAgent(new HttpsAgent({ ca: readFileSync(pki.caCert), cert: readFileSync(pki.proxyCert), key: readFileSync(pki.proxyKey) }))!;
    expect(other).not.toBe(a);
    expect(other.options.secureContext).not.toBe(a.options.secureContext);
    class ProxyAgent extends HttpsAgent {}
    expect(keepAliveAgent(new ProxyAgent())).toBeUndefined();
    expect(keepAliveAgent(undefined)).toBeUndefined();
  });

  it('a burst of 40 requests presents the client certificate on every socket, over at most MAX_SOCKETS sockets kept for the next burst', async () => {
    const agent = keepAliveAgent(madeByClient())!;
    const before = connections;
    expect(await Promise.all(Array.from({ length: 40 }, () => get(agent)))).toEqual(Array(40).fill('ok'));
    const opened = connections - before;
    expect(opened).toBeGreaterThan(1);
    expect(opened).toBeLessThanOrEqual(MAX_SOCKETS);
    expect(clients.slice(-40)).toEqual(Array(40).fill('gameday-admin'));
    // the next burst reuses them: no new handshake
    await Promise.all(Array.from({ length: 10 }, () => get(agent)));
    expect(connections - before).toBe(opened);
  });
});
