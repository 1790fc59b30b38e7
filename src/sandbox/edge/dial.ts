/**
 * Reaching an address inside the sandbox's VPC namespace from the host, without a route or an
 * address on the host: an HTTP CONNECT through the unix socket that the VPC relay (relay.mjs
 * --connect-proxy) serves inside the VPC namespace. The socket file is reachable from any network
 * namespace; the connection to <ip>:<port> is dialled in the VPC's.
 */
import { createConnection, type Socket } from 'node:net';
import { Buffer } from 'node:buffer';

export class DialError extends Error {}

/** A connected socket to host:port in the VPC, or a DialError saying why (refused, unreachable, timed out). */
export function dialVia(socketPath: string, host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ path: socketPath });
    let settled = false;
    const fail = (m: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      reject(new DialError(m));
    };
    const timer = setTimeout(() => fail(`connect to ${host}:${port} timed out after ${timeoutMs} ms`), timeoutMs);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 8192) fail('the VPC relay sent an over-long answer');
        return;
      }
      s.off('data', onData);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'))?.[1];
      if (status !== '200') {
        // the relay puts the dial error after its 502 head ("connect ECONNREFUSED 10.20.1.6:30080")
        const said = head.subarray(end + 4).toString('utf8').trim();
        s.once('end', () => fail(said || `the VPC relay answered ${status ?? 'garbage'}`));
        s.on('data', (more: Buffer) => (head = Buffer.concat([head, more])));
        setTimeout(() => fail(head.subarray(end + 4).toString('utf8').trim() || `the VPC relay answered ${status ?? 'garbage'}`), 200).unref();
        return;
      }
      settled = true;
      clearTimeout(timer);
      s.pause();
      const rest = head.subarray(end + 4);
      if (rest.length) s.unshift(rest);
      s.setNoDelay(true);
      resolve(s);
    };
    s.on('data', onData);
    s.once('connect', () => s.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`));
    s.once('error', (e) => fail(`the VPC relay (${socketPath}) cannot be reached: ${e.message}`));
    s.once('close', () => fail(`the VPC relay closed the connection to ${host}:${port}`));
  });
}
