#!/usr/bin/env node
// The sandbox's links between the host and its VPC network namespace, without touching the host's
// own network (no address, route or iptables rule is ever added to the host namespace).
//
// The control plane listens on the host's 127.0.0.1; real nodes live in network namespaces behind a
// bridge in the "VPC" namespace. Path-based unix sockets are not scoped by network namespace, so a
// relay on each side of a socket file joins the two worlds:
//
//   host:  relay.mjs --listen unix:<sock> --to tcp:127.0.0.1:<port>       (API server's side)
//   VPC:   relay.mjs --listen tcp:10.20.0.1:<port> --to unix:<sock>       (what nodes and pods dial)
//   VPC:   relay.mjs --connect-proxy unix:<sock>                          (HTTP CONNECT host:port
//          over that socket, dialled inside the VPC namespace: the API server's egress selector, so
//          `kubectl exec/logs/port-forward` reach the kubelets; and the front door's way to the
//          instances it picked, src/sandbox/edge)
//   --listen unix:<sock> --to tcp:A,tcp:B                                 (round robin, the next one
//          tried when one refuses)
//
// Several --listen/--to pairs and one --connect-proxy may be given to one process. Plain Node, no
// dependencies: it is started as `node relay.mjs …`, under `ip netns exec` for the VPC side.
import { createConnection, createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { Buffer } from 'node:buffer';

function parseEndpoint(s) {
  if (s.startsWith('unix:')) return { path: s.slice(5) };
  const m = /^tcp:([^:]+):(\d+)$/.exec(s);
  if (!m) throw new Error(`bad endpoint ${s} (unix:PATH or tcp:HOST:PORT)`);
  return { host: m[1], port: Number(m[2]) };
}

const log = (m) => process.stdout.write(`${new Date().toISOString()} relay ${m}\n`);

function pipeBoth(a, b) {
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
  a.pipe(b);
  b.pipe(a);
}

function listen(endpoint, onConnection) {
  if (endpoint.path) rmSync(endpoint.path, { force: true }); // a socket file left by a killed relay
  const server = createServer({ pauseOnConnect: false }, onConnection);
  server.on('error', (e) => {
    log(`listen ${JSON.stringify(endpoint)} failed: ${e.message}`);
    process.exit(1);
  });
  server.listen(endpoint.path ? { path: endpoint.path } : { host: endpoint.host, port: endpoint.port }, () => log(`listening on ${endpoint.path ?? `${endpoint.host}:${endpoint.port}`}`));
  return server;
}

function forward(from, targets) {
  let next = 0;
  return listen(from, (client) => {
    client.pause();
    client.on('error', () => undefined);
    const tryTarget = (attempt) => {
      const to = targets[(next + attempt) % targets.length];
      const upstream = createConnection(to.path ? { path: to.path } : { host: to.host, port: to.port });
      const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), 5_000);
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        clearTimeout(timer);
        next = (next + attempt + 1) % targets.length;
        upstream.setNoDelay?.(true);
        pipeBoth(client, upstream);
        client.resume();
      });
      upstream.once('error', () => {
        clearTimeout(timer);
        if (connected) return; // pipeBoth handles errors of a connected pair
        if (attempt + 1 < targets.length) tryTarget(attempt + 1);
        else client.destroy();
      });
    };
    tryTarget(0);
  });
}

/** HTTP CONNECT proxy (the API server's EgressSelectorConfiguration, proxyProtocol HTTPConnect). */
function connectProxy(at) {
  return listen(at, (client) => {
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16384) client.destroy();
        return;
      }
      client.off('data', onData);
      const m = /^CONNECT ([^\s:]+):(\d+) HTTP\/1\.[01]\r\n/.exec(head.subarray(0, end + 4).toString('latin1'));
      if (!m) {
        client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
        return;
      }
      const rest = head.subarray(end + 4);
      const upstream = createConnection({ host: m[1], port: Number(m[2]) });
      const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), 10_000);
      upstream.once('connect', () => {
        clearTimeout(timer);
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        if (rest.length) upstream.write(rest);
        pipeBoth(client, upstream);
      });
      upstream.once('error', (e) => {
        clearTimeout(timer);
        if (!client.destroyed) client.end(`HTTP/1.1 502 Bad Gateway\r\n\r\n${e.message}`);
      });
    };
    client.on('data', onData);
    client.on('error', () => undefined);
  });
}

const args = process.argv.slice(2);
const servers = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--listen' && args[i + 2] === '--to') {
    servers.push(forward(parseEndpoint(args[i + 1]), args[i + 3].split(',').map(parseEndpoint)));
    i += 3;
  } else if (args[i] === '--connect-proxy') {
    servers.push(connectProxy(parseEndpoint(args[i + 1])));
    i += 1;
  } else {
    process.stderr.write(`relay: unexpected argument ${args[i]}\n`);
    process.exit(2);
  }
}
if (servers.length === 0) {
  process.stderr.write('relay: nothing to do (--listen A --to B, --connect-proxy unix:PATH)\n');
  process.exit(2);
}
const stop = () => {
  for (const s of servers) s.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
