/**
 * Network namespaces for tests: each one is ours alone (`gdtest-<random>`), has only loopback (set
 * up), and is always deleted — even when the test fails. Traffic stays inside it.
 *
 *   await withNetns(async (ns) => {
 *     const srv = await ns.startTcpServer();          // listens on 127.0.0.1 inside ns
 *     expect(await ns.probe(srv.port)).toBe('open');
 *     expect(await ns.probe(srv.port + 1)).toBe('refused');
 *   });
 *
 * Every wait is bounded: probes carry a timeout (a DROP rule gives 'timeout'), server start and
 * command runs are capped.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export type ProbeResult = 'open' | 'refused' | 'timeout' | 'error';

export interface TcpServer {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface Netns {
  name: string;
  /** run a command inside the namespace (bounded by timeoutMs, default 10 s) */
  run(cmd: string, args: string[], timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
  /** a TCP server inside the namespace on 127.0.0.1 (port 0 = any free port) */
  startTcpServer(port?: number): Promise<TcpServer>;
  /** connect from inside the namespace to 127.0.0.1:port with a timeout */
  probe(port: number, timeoutMs?: number, host?: string): Promise<ProbeResult>;
}

const SERVER_PY = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    try:
        c.sendall(b"gameday\\n")
    finally:
        c.close()
`;

const PROBE_PY = `
import socket, sys
host, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(timeout)
try:
    s.connect((host, port))
    print("open")
except ConnectionRefusedError:
    print("refused")
except (socket.timeout, TimeoutError):
    print("timeout")
except OSError as e:
    print("error", e)
finally:
    s.close()
`;

async function ip(args: string[], timeoutMs = 10_000) {
  return exec('ip', args, { timeout: timeoutMs, encoding: 'utf8' });
}

export async function createNetns(): Promise<Netns & { destroy(): Promise<void> }> {
  const name = `gdtest-${randomBytes(4).toString('hex')}`;
  await ip(['netns', 'add', name]);
  const servers = new Set<ChildProcess>();
  const ns = {
    name,
    async run(cmd: string, args: string[], timeoutMs = 10_000) {
      return exec('ip', ['netns', 'exec', name, cmd, ...args], { timeout: timeoutMs, encoding: 'utf8' });
    },
    async startTcpServer(port = 0): Promise<TcpServer> {
      const child = spawn('ip', ['netns', 'exec', name, 'python3', '-u', '-c', SERVER_PY, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      servers.add(child);
      const bound = await new Promise<number>((resolve, reject) => {
        let out = '';
        let err = '';
        const timer = setTimeout(() => reject(new Error(`TCP server in ${name} did not start within 10 s: ${err}`)), 10_000);
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^(\d+)\n/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`TCP server in ${name} exited (${code}): ${err}`));
        });
      });
      const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const gone = new Promise<void>((r) => child.once('exit', () => r()));
          child.kill('SIGKILL');
          await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        }
        servers.delete(child);
      };
      return { port: bound, pid: child.pid ?? -1, stop };
    },
    async probe(port: number, timeoutMs = 1500, host = '127.0.0.1'): Promise<ProbeResult> {
      try {
        const { stdout } = await exec('ip', ['netns', 'exec', name, 'python3', '-c', PROBE_PY, host, String(port), String(timeoutMs / 1000)], { timeout: timeoutMs + 5000, encoding: 'utf8' });
        const word = stdout.trim().split(/\s/)[0];
        return word === 'open' || word === 'refused' || word === 'timeout' ? word : 'error';
      } catch {
        return 'error';
      }
    },
    async destroy() {
      for (const child of [...servers]) {
        child.kill('SIGKILL');
        servers.delete(child);
      }
      // bounded retries: a process just killed may still hold the namespace for a moment
      for (let i = 0; i < 10; i++) {
        try {
          await ip(['netns', 'del', name]);
          return;
        } catch (e) {
          if (!(await netnsExists(name))) return;
          if (i === 9) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
  };
  try {
    await ns.run('ip', ['link', 'set', 'lo', 'up']);
  } catch (e) {
    await ns.destroy();
    throw e;
  }
  return ns;
}

export async function netnsExists(name: string): Promise<boolean> {
  const { stdout } = await ip(['netns', 'list']);
  return stdout.split('\n').some((l) => l.split(' ')[0] === name);
}

/** Runs fn with a fresh namespace and deletes it afterwards, whatever happens. */
export async function withNetns<T>(fn: (ns: Netns) => Promise<T>): Promise<T> {
  const ns = await createNetns();
  try {
    return await fn(ns);
  } finally {
    await ns.destroy();
  }
}
