/**
 * The sandbox's front door: an HTTP edge on 127.0.0.1 that answers for every name of the sandbox's
 * hosted zones the way a browser plus AWS would (routing.ts): Route 53 → load balancer → listener and
 * rules → the target group's registered, healthy instances → <private IP>:<port> inside the VPC
 * (dialled through the VPC relay's CONNECT socket, dial.ts). It follows the local AWS endpoint's
 * state: delete the load balancer and the name stops routing; re-create it and re-point the alias
 * and it routes again; deregister or stop an instance and it gets no traffic.
 *
 * AWS state is read at most once a second (on demand, one read in flight) and every 5 s in the
 * background for the health checks. When the AWS endpoint does not answer, the last state read keeps
 * serving — as AWS's data plane keeps serving when its control plane is unreachable.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AwsClients } from '../../adapters/aws/clients.js';
import { readAwsView } from './aws-view.js';
import { dialVia } from './dial.js';
import { HEALTH_INTERVAL_MS, HealthChecker } from './health.js';
import { albError, route, type AwsView, type Decision } from './routing.js';

export const VIEW_MAX_AGE_MS = 1_000;
const BACKGROUND_REFRESH_MS = 5_000;
const CONNECT_TIMEOUT_MS = 3_000;
/** an ALB's idle timeout is 60 s; checkout answers within its downstream timeouts (a few seconds) */
const RESPONSE_TIMEOUT_MS = 30_000;

export interface FrontDoorOptions {
  host: string;
  port: number;
  clients: AwsClients;
  /** the VPC relay's CONNECT socket */
  via: string;
  log: (m: string) => void;
  /** overridable for tests */
  healthIntervalMs?: number;
}

export interface FrontDoor {
  server: Server;
  port: number;
  /** the newest view (forces a read) */
  refresh(): Promise<AwsView | undefined>;
  close(): Promise<void>;
}

export async function startFrontDoor(opts: FrontDoorOptions): Promise<FrontDoor> {
  if (!/^127\.\d+\.\d+\.\d+$/.test(opts.host)) throw new Error(`the front door binds to loopback only (got ${opts.host})`);
  const log = opts.log;
  const health = new HealthChecker(opts.via, log);
  let view: AwsView | undefined;
  let reading: Promise<AwsView | undefined> | undefined;
  let lastError = '';
  const refresh = (): Promise<AwsView | undefined> => {
    reading ??= readAwsView(opts.clients)
      .then((v) => {
        view = v;
        if (lastError) log('the AWS endpoint answers again');
        lastError = '';
        return v;
      })
      .catch((e: Error) => {
        if (e.message !== lastError) log(`cannot read the AWS endpoint (serving the last state read): ${e.message}`);
        lastError = e.message;
        return view;
      })
      .finally(() => (reading = undefined));
    return reading;
  };
  const fresh = async () => (view && Date.now() - view.at < VIEW_MAX_AGE_MS ? view : refresh());

  // what each name did last: logged when it changes, not on every request
  const lastReason = new Map<string, string>();
  const note = (host: string, d: Decision) => {
    const line = `${d.kind === 'forward' ? 'forward' : d.kind === 'respond' ? `answer ${d.status}` : 'no route'}: ${d.reason}`;
    if (lastReason.get(host) !== line) log(`${host}: ${line}`);
    lastReason.set(host, line);
  };
  const roundRobin = new Map<string, number>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: Error) => {
      log(`internal error: ${e.message}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').toLowerCase();
    const url = new URL(req.url ?? '/', 'http://x');
    const v = await fresh();
    const d: Decision = v ? route(v, { host, path: url.pathname, method: req.method ?? 'GET', query: url.search.slice(1) }, health.state) : { kind: 'no-route', reason: 'the AWS endpoint has not answered yet' };
    note(host || '(no Host header)', d);
    if (d.kind === 'no-route') {
      // no address for the name, or nothing listening: the client gets no HTTP answer at all
      req.socket.resetAndDestroy();
      return;
    }
    if (d.kind === 'respond') {
      res.writeHead(d.status, d.headers).end(d.body);
      return;
    }
    const i = roundRobin.get(d.targetGroup) ?? 0;
    roundRobin.set(d.targetGroup, i + 1);
    const target = d.endpoints[i % d.endpoints.length]!;
    let upstream: Socket;
    try {
      upstream = await dialVia(opts.via, target.ip, target.port, CONNECT_TIMEOUT_MS);
    } catch (e) {
      log(`${host}: 502 ${target.instance} ${target.ip}:${target.port}: ${(e as Error).message}`);
      const err = albError(502, '');
      res.writeHead(err.status, err.headers).end(err.body);
      return;
    }
    const forwarded = req.socket.remoteAddress ?? '127.0.0.1';
    const proxied = httpRequest(
      {
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': forwarded, 'x-forwarded-proto': 'http', 'x-forwarded-port': '80', connection: 'close' },
        createConnection: () => upstream,
        timeout: RESPONSE_TIMEOUT_MS,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    // dialVia hands the socket over paused (nothing read is lost): the HTTP client's listeners are on it now
    proxied.once('socket', (sock) => sock.resume());
    proxied.on('timeout', () => {
      proxied.destroy();
      log(`${host}: 504 ${target.instance} ${target.ip}:${target.port}: no answer within ${RESPONSE_TIMEOUT_MS} ms`);
      const err = albError(504, '');
      if (!res.headersSent) res.writeHead(err.status, err.headers).end(err.body);
    });
    proxied.on('error', (e) => {
      log(`${host}: 502 ${target.instance} ${target.ip}:${target.port}: ${e.message}`);
      const err = albError(502, '');
      if (!res.headersSent) res.writeHead(err.status, err.headers).end(err.body);
      else res.destroy();
    });
    req.pipe(proxied);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port }, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  log(`listening on ${opts.host}:${port}; AWS endpoint ${opts.clients.config.endpoint}; VPC via ${opts.via}`);

  // the health checks and a background read keep the view warm while nobody browses
  let stopped = false;
  const timers = [
    setInterval(() => {
      if (!stopped && view) void health.round(view);
    }, opts.healthIntervalMs ?? HEALTH_INTERVAL_MS),
    setInterval(() => {
      if (!stopped) void refresh();
    }, BACKGROUND_REFRESH_MS),
  ];
  await refresh();
  if (view) void health.round(view);

  return {
    server,
    port,
    refresh,
    async close() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
