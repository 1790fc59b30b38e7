/**
 * Synchronous calls to the Kubernetes API server, for the cluster journal.
 *
 * Why synchronous: the journal's contract is that `append` returns once the event is durable, and
 * every caller (the runner's "intent before the mutation", the revert claims, the halt flag)
 * relies on it being a plain call with no await in between, exactly like the file store's
 * write + fsync. So the request runs on a worker thread (node:https, keep-alive) while this thread
 * waits on a shared counter (Atomics.wait), then takes the answer with receiveMessageOnPort. The
 * wait is bounded: a call that gets no answer within its timeout throws UNREACHABLE; an answer that
 * arrives later is recognised by its id and dropped.
 *
 * The worker's code is a string evaluated by the Worker (no file to find next to the bundle).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { GamedayError } from '../../core/errors.js';
import type { KubeConnection } from './kubeconfig-sync.js';

export interface SyncResponse {
  status: number;
  /** the parsed JSON body (an object for every answer the API server gives), or undefined */
  json: unknown;
}

/** One call gets this long before it counts as unanswered. */
export const SYNC_CALL_TIMEOUT_MS = 15_000;

const WORKER_SOURCE = String.raw`
const { workerData } = require('node:worker_threads');
const https = require('node:https');
const http = require('node:http');
const { port, shared, conn } = workerData;
const flag = new Int32Array(shared);
const tls = { ca: conn.ca, cert: conn.cert, key: conn.key, rejectUnauthorized: !conn.insecure };
const agent = conn.server.startsWith('https:') ? new https.Agent({ keepAlive: true, maxSockets: 4, ...tls }) : new http.Agent({ keepAlive: true });
function reply(msg) {
  port.postMessage(msg);
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
}
port.on('message', (req) => {
  let done = false;
  const finish = (msg) => { if (!done) { done = true; reply(msg); } };
  try {
    const url = new URL(req.path, conn.server);
    const headers = { accept: 'application/json' };
    if (conn.token) headers.authorization = 'Bearer ' + conn.token;
    if (req.body !== undefined) {
      headers['content-type'] = req.contentType || 'application/json';
      headers['content-length'] = Buffer.byteLength(req.body); // not chunked: every method the same framing
    }
    const r = (url.protocol === 'https:' ? https : http).request(url, { method: req.method, headers, agent, timeout: req.timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => finish({ id: req.id, status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish({ id: req.id, status: 0, error: e.message }));
    });
    r.on('timeout', () => r.destroy(new Error('no answer within ' + req.timeoutMs + ' ms')));
    r.on('error', (e) => finish({ id: req.id, status: 0, error: e.code ? e.code + ' ' + e.message : e.message }));
    r.end(req.body);
  } catch (e) {
    finish({ id: req.id, status: 0, error: String(e && e.message || e) });
  }
});
`;

interface Reply {
  id: number;
  status: number;
  body?: string;
  error?: string;
}

export class SyncKubeApi {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag: Int32Array;
  private nextId = 0;

  constructor(
    readonly conn: KubeConnection,
    private readonly timeoutMs = SYNC_CALL_TIMEOUT_MS,
  ) {
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    this.flag = new Int32Array(shared);
    this.port = port1;
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2, shared, conn }, transferList: [port2] });
    // a store nobody closes must not keep the process alive
    this.worker.unref();
    this.port.unref();
  }

  /**
   * One request; returns the status and parsed body. Throws UNREACHABLE when there is no answer
   * (refused, TLS, timeout): the caller never learns "not found" from a server it did not reach.
   */
  request(method: string, path: string, body?: unknown, contentType?: string): SyncResponse {
    const id = ++this.nextId;
    this.port.postMessage({ id, method, path, body: body === undefined ? undefined : JSON.stringify(body), contentType, timeoutMs: this.timeoutMs });
    const until = Date.now() + this.timeoutMs + 2_000;
    for (;;) {
      const seen = Atomics.load(this.flag, 0);
      const got = receiveMessageOnPort(this.port)?.message as Reply | undefined;
      if (got && got.id === id) return this.answer(method, path, got);
      if (got) continue; // the late answer of an earlier call that timed out
      const left = until - Date.now();
      if (left <= 0) throw this.unreachable(method, path, `no answer within ${this.timeoutMs / 1000} s`);
      Atomics.wait(this.flag, 0, seen, left);
    }
  }

  close(): void {
    void this.worker.terminate();
    this.port.close();
  }

  private answer(method: string, path: string, r: Reply): SyncResponse {
    if (r.status === 0) throw this.unreachable(method, path, r.error ?? 'no answer');
    let json: unknown;
    try {
      json = r.body ? JSON.parse(r.body) : undefined;
    } catch {
      json = undefined; // a proxy's HTML page: the status says enough
    }
    return { status: r.status, json };
  }

  private unreachable(method: string, path: string, why: string): GamedayError {
    return new GamedayError('UNREACHABLE', `cannot reach the Kubernetes API server ${this.conn.server} (${method} ${path}): ${why}`, { hint: 'check that the cluster is up and reachable from here, and the kube settings of the environment in gameday.yaml' });
  }
}

/** The API server's own message in a Status answer, else the HTTP status. */
export function statusMessage(r: SyncResponse): string {
  const m = (r.json as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? `${r.status} ${m.split('\n')[0]}` : `HTTP ${r.status}`;
}
