/**
 * Looking at the sandbox's first real node the way a player would: a command inside the node
 * (`gameday sandbox shell`'s namespaces), from outside it (the VPC namespace: another host of the
 * VPC), and from inside a pod (`kubectl exec`). Every command is bounded by a timeout.
 */
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { sandbox } from './sandbox.js';
import { netLayout, SHOP_HOST } from '../../../src/sandbox/real-node/layout.js';
import { sandboxShellTarget } from '../../../src/sandbox/sandbox.js';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const run = (cmd: string, args: string[], timeoutMs = 20_000, env?: NodeJS.ProcessEnv): Run => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, env: env ?? process.env });
  return { status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
};

export const firstRealNode = (): string => {
  const name = sandbox().realNodes[0];
  if (!name) throw new Error('the integration sandbox has no real node: it must start with --real-nodes >= 1');
  return name;
};

/** A command inside the real node's network, mount and UTS namespaces. */
export function onNode(args: string[], timeoutMs?: number): Run {
  const t = sandboxShellTarget(firstRealNode());
  return run('nsenter', ['-t', String(t.pid), '-m', '-u', '-n', '--', ...args], timeoutMs, { ...process.env, ...t.env });
}

/** A command from outside the nodes: the VPC namespace (where a load balancer would be). */
export const fromVpc = (args: string[], timeoutMs?: number): Run => run('ip', ['netns', 'exec', netLayout(sandbox().stateDir).vpcNetns, ...args], timeoutMs);

/** The sandbox's kubectl with its kubeconfig and context. */
export function kubectl(args: string[], timeoutMs?: number): Run {
  const info = sandbox();
  const bin = join(process.env.GAMEDAY_CACHE ?? join(process.env.HOME ?? '/root', '.cache', 'gameday'), 'bin', 'kubectl');
  return run(bin, ['--kubeconfig', info.kubeconfig, '--context', info.kubeContext, ...args], timeoutMs);
}

/** Our chains in the node's iptables (both backends): empty when no fault is applied. */
export function gamedayChainsOnNode(): string[] {
  const chains: string[] = [];
  for (const save of ['iptables-nft-save', 'iptables-legacy-save']) {
    const r = onNode([save]);
    for (const line of r.stdout.split('\n')) if (/^:(GAMEDAY-|GD-)/.test(line)) chains.push(`${save}: ${line.split(' ')[0]}`);
  }
  return chains;
}

/**
 * GET with a given Host header (node:http: fetch may not set Host, it always sends the URL's). The
 * status and body, or the network error's code (ECONNRESET, ECONNREFUSED) or message.
 */
export function httpGet(baseUrl: string, path: string, host: string, timeoutMs = 5_000): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const u = new URL(path, baseUrl);
    const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, headers: { host }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (e) => resolve({ error: (e as { code?: string }).code ?? e.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve({ error: (e as { code?: string }).code ?? e.message }));
    req.end();
  });
}

/** GET through the shop's front door (what www.shop.example resolves to in the sandbox). */
export async function viaFrontDoor(path: string, timeoutMs = 5_000): Promise<{ status: number; body: string } | { error: string }> {
  const front = sandbox().frontDoor;
  if (!front) throw new Error('the sandbox has no front door (no real nodes)');
  return httpGet(front, path, SHOP_HOST, timeoutMs);
}
