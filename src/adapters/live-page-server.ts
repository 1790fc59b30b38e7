/**
 * A read-only web page and its live updates (server-sent events), for the room's screen. It serves
 * exactly three things — the page, the event stream, an empty favicon — to GET and HEAD; every other
 * method gets 405, so nothing a browser (or anyone on the LAN) sends can change anything.
 *
 * Shared beyond this machine (`--host`), every request must carry the random token printed in the
 * URL (403 without it): an address on the LAN is not an invitation to everyone on it. The page is
 * served with a Content-Security-Policy that lets it talk to its own origin only, and no referrer,
 * so the token does not leak either.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { GamedayError } from '../core/errors.js';

export interface LivePageOptions {
  host: string;
  /** 0: any free port */
  port: number;
  /** the page's HTML */
  page: string;
  /** the data a new subscriber gets first (the current state) */
  current: () => string;
  /** require this token on every request (`?token=`) */
  token?: string;
}

export interface LivePageServer {
  /** the URL to open, with the token when there is one */
  readonly url: string;
  readonly port: number;
  /** sends one update to every open page */
  publish(data: string): void;
  subscribers(): number;
  close(): Promise<void>;
}

/** A URL-safe random token (128 bits). */
export const newToken = (): string => randomBytes(16).toString('base64url');

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const KEEPALIVE_MS = 15_000;

export async function serveLivePage(opts: LivePageOptions): Promise<LivePageServer> {
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => handle(req, res, opts, streams));
  const port = await listen(server, opts.host, opts.port);
  const keepalive = setInterval(() => {
    for (const s of streams) s.write(': keepalive\n\n');
  }, KEEPALIVE_MS);
  keepalive.unref();
  const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${shown}:${port}/${opts.token ? `?token=${opts.token}` : ''}`,
    port,
    publish(data) {
      const frame = sseFrame(data);
      for (const s of streams) s.write(frame);
    },
    subscribers: () => streams.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(keepalive);
        for (const s of streams) s.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One SSE message; a newline in the data would end it early, so each line gets its own `data:`. */
const sseFrame = (data: string) => `${data.split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`;

function handle(req: IncomingMessage, res: ServerResponse, opts: LivePageOptions, streams: Set<ServerResponse>): void {
  const url = new URL(req.url ?? '/', 'http://screen.invalid');
  const send = (status: number, type: string, body: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', ...extra });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'read-only\n', { allow: 'GET, HEAD' });
  if (opts.token && !sameToken(url.searchParams.get('token'), opts.token)) return send(403, 'text/plain', 'forbidden: open the URL gameday printed, with its token\n');
  if (url.pathname === '/') return send(200, 'text/html; charset=utf-8', opts.page, { 'content-security-policy': CSP });
  if (url.pathname === '/favicon.ico') return send(204, 'text/plain', '');
  if (url.pathname !== '/events') return send(404, 'text/plain', 'not found\n');
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive' });
  if (req.method === 'HEAD') return void res.end();
  res.write('retry: 1000\n\n'); // reconnect fast after a blip: the screen is watched live
  res.write(sseFrame(opts.current()));
  streams.add(res);
  req.on('close', () => streams.delete(res));
}

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, host, port)));
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

function listenError(e: NodeJS.ErrnoException, host: string, port: number): GamedayError {
  const hint = 'pick another with --port (0: any free port)';
  if (e.code === 'EADDRINUSE') return new GamedayError('INVALID_INPUT', `port ${port} on ${host} is in use`, { hint, cause: e });
  if (e.code === 'EACCES') return new GamedayError('INVALID_INPUT', `not allowed to listen on port ${port}`, { hint, cause: e });
  if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return new GamedayError('INVALID_INPUT', `cannot listen on ${host}: not an address of this machine`, { hint: 'use 127.0.0.1, 0.0.0.0 or one of this machine’s addresses with --host', cause: e });
  return new GamedayError('INVALID_INPUT', `cannot listen on ${host}:${port}: ${e.code ?? e.message}`, { cause: e });
}
