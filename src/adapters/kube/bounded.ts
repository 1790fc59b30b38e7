/**
 * Every Kubernetes API call is bounded. @kubernetes/client-node 1.4 has no timeouts and no retries,
 * so the API clients are built here with a middleware that gives each request an abort signal:
 * the enclosing call scope's (call-scope.ts: a revert's deadline, Ctrl-C in `halt`) combined with
 * CALL_TIMEOUT_MS. A frozen API server accepts the TCP connection and then says nothing; without
 * this a call waits for as long as the server stays frozen.
 * `retryNoAnswer` retries a call that got no answer, MAX_ATTEMPTS in all, with backoff: only for
 * reads and deletes (idempotent); a create is tried once and the caller looks before trying again.
 */
import { Agent as HttpsAgent } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { GamedayError } from '../../core/errors.js';
import { callSignal, noteCall, scopeSignal } from '../call-scope.js';
import type { KubeModule } from './client.js';

/** One request: API server reads/writes answer in milliseconds; 10 s of silence is a fault. */
export const CALL_TIMEOUT_MS = 10_000;
/** Tries of an idempotent call that got no answer, the first included (≈ 3 × 10 s + 0.75 s backoff). */
export const MAX_ATTEMPTS = 3;
const BACKOFF_MS = [250, 500];

/**
 * Sockets per API server kept open for reuse. client-node 1.4 builds a new https.Agent for every
 * request (a TCP connect and a TLS handshake each, client certificate signed each time): a kill of
 * 50 pods paid 50 handshakes on 2 cores. Reused keep-alive sockets cost none after the first few;
 * more sockets than this would mostly add handshakes, fewer would queue deletes behind each other.
 */
export const MAX_SOCKETS = 16;

/** An idle socket is closed by us before the server would: a request never lands on a socket it is closing. */
const IDLE_SOCKET_MS = 30_000;

type Auth = { getName(): string; applySecurityAuthentication(ctx: { getAgent(): unknown; setAgent(a: HttpsAgent): void }): Promise<void> };
const agents = new Map<string, HttpsAgent>();

/**
 * kc's own authentication (headers, exec tokens: per request, as before), with its throw-away agent
 * swapped for a shared keep-alive one built from the same TLS options. Only a plain https.Agent
 * is swapped: a proxy's agent (kubeconfig proxy-url) stays as client-node made it.
 */
function keepAliveAuth(kc: KubeConfig): Auth {
  return {
    getName: () => 'gameday-keep-alive',
    async applySecurityAuthentication(ctx) {
      await kc.applySecurityAuthentication(ctx as Parameters<KubeConfig['applySecurityAuthentication']>[0]);
      const agent = keepAliveAgent(ctx.getAgent());
      if (agent) ctx.setAgent(agent);
    },
  };
}

/**
 * The shared keep-alive agent for the TLS options of an agent client-node made, or undefined when
 * it is not a plain https.Agent (a proxy's agent stays as client-node made it).
 */
export function keepAliveAgent(made: unknown): HttpsAgent | undefined {
  if (!(made instanceof HttpsAgent) || made.constructor !== HttpsAgent) return undefined;
  const o = made.options;
  // keyed by the TLS material itself: a rotated client certificate gets a fresh agent
  const key = [o.ca, o.cert, o.key, o.pfx, o.passphrase, o.servername, o.rejectUnauthorized].map((v) => String(v)).join('\0');
  let agent = agents.get(key);
  if (!agent) {
    // one TLS context for every socket: without it each new socket parses the CA, certificate and
    // key again (≈ 1 ms of CPU each, 16 of them at the start of a large kill, before any delete is answered)
    const secureContext = o.secureContext ?? createSecureContext({ ca: o.ca, cert: o.cert, key: o.key, pfx: o.pfx, passphrase: o.passphrase });
    agents.set(key, (agent = new HttpsAgent({ ...o, secureContext, keepAlive: true, maxSockets: MAX_SOCKETS, scheduling: 'lifo', timeout: IDLE_SOCKET_MS })));
  }
  return agent;
}

/** Like kc.makeApiClient, with every request bounded by the call scope and CALL_TIMEOUT_MS. */
export function boundedApiClient<T>(k8s: KubeModule, kc: KubeConfig, api: new (config: ReturnType<KubeModule['createConfiguration']>) => T): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  const config = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cluster.server, {}),
    authMethods: { default: keepAliveAuth(kc) },
    promiseMiddleware: [
      {
        pre: async (ctx) => {
          ctx.setSignal(callSignal(CALL_TIMEOUT_MS));
          return ctx;
        },
        post: async (res) => res,
      },
    ],
  });
  return new api(config);
}

/** The request got no answer (timed out, refused, reset), as opposed to an HTTP error status. */
export function isNoAnswer(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const err = e as { name?: string; code?: unknown; type?: string; errno?: string; cause?: unknown };
  if (typeof err.code === 'number') return false; // an ApiException: the server answered
  return (
    err.name === 'AbortError' ||
    err.name === 'TimeoutError' ||
    err.type === 'aborted' ||
    err.type === 'request-timeout' ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(String(err.code ?? err.errno ?? '')) ||
    (err.cause !== undefined && isNoAnswer(err.cause))
  );
}

/**
 * Runs one API call: retried on no answer when idempotent, the scope's end passed through as is,
 * and a final no-answer turned into UNREACHABLE "… did not answer <what> in N s".
 */
export async function boundedCall<T>(server: string, what: string, idempotent: boolean, fn: () => Promise<T>, sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Promise<T> {
  const started = Date.now();
  const done = noteCall(`Kubernetes API ${server} ${what}`, started);
  const attempts = idempotent ? MAX_ATTEMPTS : 1;
  try {
    for (let attempt = 1; ; attempt++) {
      const scope = scopeSignal();
      if (scope?.aborted) throw scope.reason;
      try {
        return await fn();
      } catch (e) {
        if (scope?.aborted) throw scope.reason instanceof Error ? scope.reason : new Error(String(scope.reason));
        if (!isNoAnswer(e)) throw e;
        if (attempt < attempts) {
          await sleep(BACKOFF_MS[attempt - 1] ?? 500);
          continue;
        }
        const secs = Math.round((Date.now() - started) / 1000);
        throw new GamedayError('UNREACHABLE', `Kubernetes API ${server} did not answer ${what} in ${secs} s (${attempt} attempt${attempt === 1 ? '' : 's'}: ${(e as Error).message?.split('\n')[0] ?? e})`, {
          hint: 'is the cluster up and the kube context right? (`gameday sandbox status` for the sandbox); run the same command again once it answers',
          cause: e,
        });
      }
    }
  } finally {
    done();
  }
}
