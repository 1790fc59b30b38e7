/**
 * A connection that never reached AWS (refused, no such host, timed out) is "cannot reach", exit
 * 3, like the Kubernetes side — not a bare `connect ECONNREFUSED 127.0.0.1:1` reported as a bug.
 */
import type { Environment } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/** True for errors of the connection itself (no HTTP response came back). */
export function isConnectionError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const err = e as { code?: unknown; name?: unknown; cause?: unknown; $metadata?: { httpStatusCode?: number } };
  if (err.$metadata?.httpStatusCode !== undefined) return false; // AWS answered
  if (typeof err.code === 'string' && NETWORK_CODES.has(err.code)) return true;
  if (err.name === 'TimeoutError' || err.name === 'RequestTimeout') return true;
  return err.cause !== undefined && err.cause !== e && isConnectionError(err.cause);
}

export function unreachableError(e: unknown, env: Environment): GamedayError {
  const where = env.aws?.endpoint ?? `region ${env.aws?.region ?? '?'}`;
  const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return new GamedayError('UNREACHABLE', `cannot reach the AWS API of "${env.name}" (${where}): ${why}`, {
    hint: env.aws?.endpoint ? 'is the endpoint running (for the sandbox: `gameday sandbox status`)?' : 'check the network, the region and the credentials of this environment',
    cause: e,
  });
}

/**
 * Wraps a port so every call's connection failure becomes the typed error. Methods that do not
 * return a promise are passed through untouched.
 */
export function mapUnreachable<P extends object>(port: P, env: Environment): P {
  return new Proxy(port, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!out || typeof (out as Promise<unknown>).then !== 'function') return out;
        return (out as Promise<unknown>).catch((e: unknown) => {
          throw isConnectionError(e) ? unreachableError(e, env) : e;
        });
      };
    },
  });
}
