import { connect } from 'node:net';
import type { TcpProbePort } from '../../ports/probes.js';

export const tcpProbePort: TcpProbePort = {
  connect(host, port, { timeoutMs, signal }) {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const socket = connect({ host, port });
      const done = (err?: Error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        if (err) reject(err);
        else resolve({ latencyMs: Math.round(performance.now() - started) });
      };
      const onAbort = () => done(new Error('aborted'));
      const timer = setTimeout(() => done(new Error(`no connection within ${timeoutMs}ms`)), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => done());
      socket.once('error', (e) => done(e));
    });
  },
};
