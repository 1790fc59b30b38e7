/**
 * Every AWS call is bounded. The SDK's own mechanisms do the work:
 *   - the HTTP handler gives up on a connection after CONNECT_TIMEOUT_MS and on a request whose
 *     socket stays silent for SILENCE_TIMEOUT_MS (a stopped or black-holed endpoint accepts the TCP
 *     connection and then says nothing: only an inactivity timeout notices);
 *   - the standard retry strategy retries timeouts and connection errors MAX_ATTEMPTS times in all,
 *     with its exponential backoff;
 *   - each `send` carries the enclosing call scope's abort signal (call-scope.ts), so a revert that
 *     passes its deadline, or Ctrl-C in `halt`, cuts the call at once instead of waiting it out.
 * Calls that create something are sent once, never retried by the SDK: a create that timed out may
 * still land when the endpoint wakes up, and a blind retry would make a second one (moto makes two
 * load balancers with one name). The caller's next attempt looks by name and tag first instead.
 * A call that gets no answer fails with UNREACHABLE "… did not answer … in N s".
 */
import { GamedayError } from '../../core/errors.js';
import { noteCall, scopeSignal } from '../call-scope.js';

/** Connect: a live endpoint on any network answers SYN in well under a second. */
export const CONNECT_TIMEOUT_MS = 3_000;
/** Silence on an open request: AWS control-plane calls answer in < 2 s (p99.9 a few s); 10 s of nothing is a fault. */
export const SILENCE_TIMEOUT_MS = 10_000;
/** A whole attempt, even one that trickles bytes. */
export const ATTEMPT_TIMEOUT_MS = 20_000;
/** Tries per call, the first included (the SDK's standard default). Worst case ≈ 3 × 10 s + backoff. */
export const MAX_ATTEMPTS = 3;

/** The client options that bound every attempt (NodeHttpHandler options). */
export const boundedHandlerOptions = () => ({
  connectionTimeout: CONNECT_TIMEOUT_MS,
  socketTimeout: SILENCE_TIMEOUT_MS,
  requestTimeout: ATTEMPT_TIMEOUT_MS,
  throwOnRequestTimeout: true,
});

/** Operations that make something new: sent once (see above). UPSERTs and deletes are idempotent. */
const CREATES = /^(Create|Add|Register|Run|Allocate|Import|Copy)/;
export const isCreate = (commandName: string): boolean => CREATES.test(commandName);

type Sendable = { send(command: unknown, options?: unknown): Promise<unknown> };

const commandName = (command: unknown): string => (command as { constructor?: { name?: string } })?.constructor?.name?.replace(/Command$/, '') ?? 'call';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** The endpoint never answered (timeout, refused, reset), as opposed to answering with an error. */
export function isNoAnswer(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const err = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  if (err.$metadata?.httpStatusCode !== undefined) return false;
  return err.name === 'TimeoutError' || NETWORK_CODES.has(err.code ?? '') || (err.cause !== undefined && isNoAnswer(err.cause));
}

/**
 * Makes `client.send` bounded: the scope's abort signal on every call, creates sent once
 * through `once` (the same client configured with maxAttempts 1), and no-answer errors turned
 * into UNREACHABLE with the endpoint, the operation and the time waited.
 */
export function boundSend<C extends Sendable>(client: C, once: () => Promise<Sendable>, endpoint: string): C {
  const send = client.send.bind(client);
  const bounded = async (command: unknown, options?: unknown): Promise<unknown> => {
    const op = commandName(command);
    const signal = scopeSignal();
    const own = (options as { abortSignal?: AbortSignal } | undefined)?.abortSignal; // a probe's own timeout
    const abortSignal = signal && own ? AbortSignal.any([signal, own]) : (signal ?? own);
    const opts = { ...(options as object | undefined), ...(abortSignal ? { abortSignal } : {}) };
    const started = Date.now();
    const done = noteCall(`${endpoint} ${op}`, started);
    try {
      if (signal?.aborted) throw signal.reason;
      return isCreate(op) ? await (await once()).send(command, opts) : await send(command, opts);
    } catch (e) {
      // the scope ended (deadline, Ctrl-C): say so, not "request aborted"
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
      if (isNoAnswer(e)) {
        const attempts = (e as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? (isCreate(op) ? 1 : MAX_ATTEMPTS);
        const secs = Math.round((Date.now() - started) / 1000);
        throw new GamedayError('UNREACHABLE', `${endpoint} did not answer ${op} in ${secs} s (${attempts} attempt${attempts === 1 ? '' : 's'}: ${(e as Error).message?.split('\n')[0] ?? e})`, {
          hint: 'the AWS endpoint is down, overloaded or unreachable; run the same command again once it answers',
          cause: e,
        });
      }
      throw e;
    } finally {
      done();
    }
  };
  (client as { send: typeof bounded }).send = bounded;
  return client;
}
