/**
 * The node.iptables agent script, run for real with this machine's iptables inside network
 * namespaces this file creates (and always deletes). Traffic stays inside those namespaces:
 * a small TCP/UDP server and a probe client, both on the namespace's own loopback.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chainPrefix, renderRules, rulesFile, type RuleSpec } from '../../src/injectors/node-iptables/rules.js';
import { agentConfigMap, agentDaemonSet, MOUNT, STATE_FILE } from '../../src/injectors/node-iptables/manifest.js';

const AGENT = fileURLToPath(new URL('../../src/injectors/node-iptables/agent.sh', import.meta.url));
const CP = { apiServers: [{ ip: '127.0.0.9', port: 6443 }], kubeletPort: 10250 };

const SERVER = `
import net from 'node:net'; import dgram from 'node:dgram';
const ports = [8080, 8081, 53]; let n = 0; const ready = () => { if (++n === ports.length + 1) console.log('ready'); };
for (const p of ports) net.createServer((s) => { s.on('error', () => {}); s.end('hi\\n'); }).listen(p, '0.0.0.0', ready);
const u = dgram.createSocket('udp4'); u.on('message', (m, r) => u.send(m, r.port, r.address)); u.bind(53, '0.0.0.0', ready);
setTimeout(() => process.exit(0), 110000);
`;
const CLIENT = `
import net from 'node:net'; import dgram from 'node:dgram';
const timeout = Number(process.argv[2]); const probes = process.argv.slice(3);
const one = (p) => new Promise((resolve) => {
  const [proto, host, port] = p.split(':');
  let done = false; let s;
  const fin = (r) => { if (!done) { done = true; clearTimeout(t); resolve([p, r]); } };
  const t = setTimeout(() => { fin('timeout'); try { s.destroy ? s.destroy() : s.close(); } catch {} }, timeout);
  if (proto === 'tcp') {
    s = net.connect(Number(port), host); s.on('data', () => { fin('ok'); s.destroy(); });
    s.on('error', (e) => fin(e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' ? 'refused' : 'error:' + e.code));
  } else {
    s = dgram.createSocket('udp4'); s.on('error', (e) => { fin(e.code === 'ECONNREFUSED' ? 'refused' : 'error:' + e.code); try { s.close(); } catch {} });
    s.on('message', () => { fin('ok'); s.close(); });
    s.connect(Number(port), host, () => s.send('q'));
  }
});
console.log(JSON.stringify(Object.fromEntries(await Promise.all(probes.map(one))))); process.exit(0);
`;

type Outcome = 'ok' | 'refused' | 'timeout' | string;

interface Agent {
  proc: ChildProcess;
  lines: string[];
  waitFor(re: RegExp, ms: number): Promise<{ line: string; at: number }>;
  exited: Promise<number | null>;
}

let seq = 0;
class Netns {
  readonly name = `gdtest-${process.pid}-${++seq}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'gd-netns-'));
  private procs: ChildProcess[] = [];

  constructor() {
    execFileSync('ip', ['netns', 'add', this.name]);
    execFileSync('ip', ['netns', 'exec', this.name, 'ip', 'link', 'set', 'lo', 'up']);
    writeFileSync(join(this.dir, 'server.mjs'), SERVER);
    writeFileSync(join(this.dir, 'client.mjs'), CLIENT);
  }

  exec(cmd: string, args: string[]): string {
    return execFileSync('ip', ['netns', 'exec', this.name, cmd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** iptables -S of the whole filter table, with the backend's binary */
  rules(bin = 'iptables-nft'): string[] {
    return this.exec(bin, ['-S']).trim().split('\n');
  }

  async startServer(): Promise<void> {
    const p = spawn('ip', ['netns', 'exec', this.name, 'node', join(this.dir, 'server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.procs.push(p);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('server did not start')), 10_000);
      p.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
  }

  probe(timeoutMs: number, ...probes: string[]): Record<string, Outcome> {
    return JSON.parse(this.exec('node', [join(this.dir, 'client.mjs'), String(timeoutMs), ...probes])) as Record<string, Outcome>;
  }

  agent(env: Record<string, string>): Agent {
    const proc = spawn('ip', ['netns', 'exec', this.name, 'sh', AGENT], { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.procs.push(proc);
    const lines: string[] = [];
    const waiters: { re: RegExp; resolve: (v: { line: string; at: number }) => void }[] = [];
    const onLine = (line: string): void => {
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve({ line, at: Date.now() });
        }
      }
    };
    let buf = '';
    const feed = (d: Buffer): void => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    };
    proc.stdout!.on('data', feed);
    proc.stderr!.on('data', feed);
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    return {
      proc,
      lines,
      exited,
      waitFor: (re, ms) =>
        new Promise((resolve, reject) => {
          const hit = lines.find((l) => re.test(l));
          if (hit) return resolve({ line: hit, at: Date.now() });
          const t = setTimeout(() => reject(new Error(`agent did not print ${re} within ${ms} ms; it printed:\n${lines.join('\n')}`)), ms);
          waiters.push({ re, resolve: (v) => (clearTimeout(t), resolve(v)) });
        }),
    };
  }

  destroy(): void {
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    try {
      // processes inside are gone; deleting the namespace drops its tables with it
      execFileSync('ip', ['netns', 'del', this.name]);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

const DRILL = 'agent-test-drill';
let ns: Netns;
beforeEach(() => {
  ns = new Netns();
});
afterEach(() => {
  ns.destroy();
});

function agentEnv(spec: RuleSpec, opts: { drill?: string; fault?: string; deadlineInS?: number; leaseFile?: string; dupe?: boolean; backend?: string } = {}): Record<string, string> {
  const drill = opts.drill ?? DRILL;
  const rules = renderRules(spec, drill, CP);
  const file = join(ns.dir, `rules-${drill}.txt`);
  const text = rulesFile(rules);
  writeFileSync(file, opts.dupe ? text + text : text);
  return {
    GAMEDAY_DRILL_ID: drill,
    GAMEDAY_CHAIN: chainPrefix(drill, opts.fault ?? 'f1'),
    GAMEDAY_RULES_FILE: file,
    GAMEDAY_DEADLINE: String(Math.floor(Date.now() / 1000) + (opts.deadlineInS ?? 300)),
    GAMEDAY_CHECK_SECONDS: '0.5',
    GAMEDAY_IPTABLES: opts.backend ?? 'nft',
    GAMEDAY_STATE_FILE: join(ns.dir, `applied-${drill}`),
    ...(opts.leaseFile ? { GAMEDAY_LEASE_FILE: opts.leaseFile } : {}),
  };
}

const ours = (rules: string[]): string[] => rules.filter((l) => /GAMEDAY|GD-|gameday/.test(l));

describe('node.iptables agent (real iptables, network namespaces)', () => {
  it('REJECT egress → connection refused, other traffic flows; SIGTERM reverts and leaves nothing', async () => {
    await ns.startServer();
    expect(ns.probe(1000, 'tcp:127.0.0.2:8080')).toEqual({ 'tcp:127.0.0.2:8080': 'ok' });
    const env = agentEnv({ preset: 'egress', to: '127.0.0.2/32:8080', action: 'reject' });
    const a = ns.agent(env);
    await a.waitFor(/applied \d+ rules/, 10_000);
    expect(existsSync(env.GAMEDAY_STATE_FILE!)).toBe(true); // the pod's readiness probe reads this
    expect(ns.probe(1500, 'tcp:127.0.0.2:8080', 'tcp:127.0.0.2:8081', 'tcp:127.0.0.1:8080')).toEqual({
      'tcp:127.0.0.2:8080': 'refused',
      'tcp:127.0.0.2:8081': 'ok',
      'tcp:127.0.0.1:8080': 'ok',
    });
    // every rule of ours carries the drill id
    const mine = ours(ns.rules()).filter((l) => l.startsWith('-A GD-'));
    expect(mine.length).toBeGreaterThan(0);
    for (const l of mine) expect(l).toContain(`gameday:${DRILL}`);
    a.proc.kill('SIGTERM');
    await a.waitFor(/reverted reason=signal/, 10_000);
    expect(await a.exited).toBe(0);
    expect(existsSync(env.GAMEDAY_STATE_FILE!)).toBe(false);
    expect(ns.probe(1500, 'tcp:127.0.0.2:8080')).toEqual({ 'tcp:127.0.0.2:8080': 'ok' });
    expect(ours(ns.rules())).toEqual([]);
  });

  it('DROP → timeout (egress and ingress presets)', async () => {
    await ns.startServer();
    const a = ns.agent(agentEnv({ preset: 'egress', to: '127.0.0.3:8080', action: 'drop' }, { fault: 'e' }));
    await a.waitFor(/applied/, 10_000);
    const b = ns.agent(agentEnv({ preset: 'ingress', port: 8081, action: 'drop' }, { fault: 'i' }));
    await b.waitFor(/applied/, 10_000);
    expect(ns.probe(1500, 'tcp:127.0.0.3:8080', 'tcp:127.0.0.1:8081', 'tcp:127.0.0.1:53')).toEqual({
      'tcp:127.0.0.3:8080': 'timeout',
      'tcp:127.0.0.1:8081': 'timeout',
      'tcp:127.0.0.1:53': 'ok',
    });
    a.proc.kill('SIGTERM');
    b.proc.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
    expect(ns.probe(1500, 'tcp:127.0.0.3:8080', 'tcp:127.0.0.1:8081')).toEqual({ 'tcp:127.0.0.3:8080': 'ok', 'tcp:127.0.0.1:8081': 'ok' });
    expect(ours(ns.rules())).toEqual([]);
  });

  it('DNS preset blocks udp and tcp port 53 and nothing else; revert restores', async () => {
    await ns.startServer();
    const a = ns.agent(agentEnv({ preset: 'dns', action: 'drop' }));
    await a.waitFor(/applied/, 10_000);
    expect(ns.probe(1500, 'udp:127.0.0.1:53', 'tcp:127.0.0.1:53', 'tcp:127.0.0.1:8080')).toEqual({
      'udp:127.0.0.1:53': 'timeout',
      'tcp:127.0.0.1:53': 'timeout',
      'tcp:127.0.0.1:8080': 'ok',
    });
    a.proc.kill('SIGTERM');
    await a.exited;
    expect(ns.probe(1500, 'udp:127.0.0.1:53', 'tcp:127.0.0.1:53')).toEqual({ 'udp:127.0.0.1:53': 'ok', 'tcp:127.0.0.1:53': 'ok' });
  });

  it('applying twice leaves one copy of each rule; SIGKILL then restart flushes leftovers and re-applies once', async () => {
    await ns.startServer();
    const env = agentEnv({ preset: 'dns', action: 'reject' }, { dupe: true });
    const a = ns.agent(env);
    await a.waitFor(/applied/, 10_000);
    const once = ours(ns.rules());
    expect(new Set(once).size).toBe(once.length); // no duplicates although every rule was listed twice
    expect(once.filter((l) => l.startsWith('-A OUTPUT')).length).toBe(1);
    a.proc.kill('SIGKILL');
    await a.exited;
    expect(ours(ns.rules())).toEqual(once); // SIGKILL: the rules stay behind (nobody reverted)…
    const b = ns.agent(env);
    await b.waitFor(/applied/, 10_000); // …and the restarted agent flushes them before applying
    expect(ours(ns.rules())).toEqual(once);
    expect(ns.probe(1500, 'tcp:127.0.0.1:53')).toEqual({ 'tcp:127.0.0.1:53': 'refused' });
    b.proc.kill('SIGKILL');
    await b.exited;
    // restart after the deadline: flushes leftovers and stays idle
    const c = ns.agent({ ...env, GAMEDAY_DEADLINE: String(Math.floor(Date.now() / 1000) - 1) });
    await c.waitFor(/not applying: deadline/, 10_000);
    expect(ours(ns.rules())).toEqual([]);
    expect(ns.probe(1500, 'tcp:127.0.0.1:53')).toEqual({ 'tcp:127.0.0.1:53': 'ok' });
    expect(c.proc.exitCode).toBeNull(); // idle, not exited: the DaemonSet would otherwise restart it
  });

  it('reverts by itself at the deadline', async () => {
    await ns.startServer();
    const env = agentEnv({ preset: 'egress', to: '127.0.0.2:8080', action: 'reject' }, { deadlineInS: 3 });
    const a = ns.agent(env);
    await a.waitFor(/applied/, 10_000);
    expect(ns.probe(1000, 'tcp:127.0.0.2:8080')).toEqual({ 'tcp:127.0.0.2:8080': 'refused' });
    const { at } = await a.waitFor(/reverted reason=deadline/, 15_000);
    const lateMs = at - Number(env.GAMEDAY_DEADLINE) * 1000;
    console.log(`agent revert latency after deadline: ${lateMs} ms`);
    expect(lateMs).toBeLessThan(3000);
    expect(ns.probe(1000, 'tcp:127.0.0.2:8080')).toEqual({ 'tcp:127.0.0.2:8080': 'ok' });
    expect(ours(ns.rules())).toEqual([]);
    expect(a.proc.exitCode).toBeNull();
  });

  it('dead man\'s switch: holds while the lease is renewed, reverts by itself when it is not', async () => {
    await ns.startServer();
    const lease = join(ns.dir, 'lease');
    // Renewals replace the file in one step, as the kubelet swaps a ConfigMap volume's files: a plain
    // write truncates first, and an agent reading in between sees no lease and (rightly) reverts with
    // reason=lease-missing — the race that failed CI on a loaded machine.
    const set = (inS: number): number => {
      const v = Math.floor(Date.now() / 1000) + inS;
      writeFileSync(`${lease}.next`, `${v}\n`);
      renameSync(`${lease}.next`, lease);
      return v;
    };
    // leases run 7–8 s ahead (second resolution) while renewals come every second, so a loaded
    // machine may delay a renewal by several seconds without the agent reverting early
    const first = set(8);
    const a = ns.agent(agentEnv({ preset: 'egress', to: '127.0.0.2:8080', action: 'reject' }, { leaseFile: lease, deadlineInS: 300 }));
    await a.waitFor(/applied/, 10_000);
    // keep renewing until well past the first lease's expiry
    while (Date.now() < first * 1000 + 2000) {
      await new Promise((r) => setTimeout(r, 1000));
      set(8);
    }
    expect(a.lines.filter((l) => l.includes('reverted'))).toEqual([]);
    expect(ns.probe(1000, 'tcp:127.0.0.2:8080')).toEqual({ 'tcp:127.0.0.2:8080': 'refused' });
    const expiry = set(2); // last renewal: the gameday process "dies" here
    const { at } = await a.waitFor(/reverted reason=lease-expired/, 15_000);
    const lateMs = at - expiry * 1000;
    console.log(`agent revert latency after lease expiry: ${lateMs} ms`);
    expect(lateMs).toBeLessThan(3000);
    expect(ns.probe(1000, 'tcp:127.0.0.2:8080')).toEqual({ 'tcp:127.0.0.2:8080': 'ok' });
    expect(ours(ns.rules())).toEqual([]);
  });

  it('probability: a statistic match hits only a share of packets', async () => {
    await ns.startServer();
    const a = ns.agent(agentEnv({ preset: 'egress', to: '127.0.0.2:8080', action: 'reject', probability: 0.5 }));
    await a.waitFor(/applied/, 10_000);
    expect(ns.rules().some((l) => l.includes('--mode random --probability 0.5'))).toBe(true);
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) outcomes.push(Object.values(ns.probe(1000, 'tcp:127.0.0.2:8080'))[0]!);
    const refused = outcomes.filter((o) => o === 'refused').length;
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(20);
    a.proc.kill('SIGTERM');
    await a.exited;
  });

  it('uses the backend the node uses (legacy marks → iptables-legacy) and reaps expired chains of other drills', async () => {
    // the "node" uses legacy: kube-proxy's hint chain lives there
    ns.exec('iptables-legacy', ['-N', 'KUBE-IPTABLES-HINT']);
    // The deadline must be far enough ahead that a slow start (a loaded CI machine) still applies
    // before it passes: floor(now)+1 was sometimes only milliseconds away and the agent stayed idle.
    const oldEnv = agentEnv({ preset: 'dns', action: 'drop' }, { drill: 'old-drill', deadlineInS: 4, backend: 'auto' });
    const old = ns.agent(oldEnv);
    await old.waitFor(/applied \d+ rules backend=iptables-legacy/, 10_000);
    old.proc.kill('SIGKILL'); // its agent died before its deadline: its chains stay…
    await old.exited;
    expect(ours(ns.rules('iptables-legacy')).length).toBeGreaterThan(0);
    expect(ours(ns.rules('iptables-nft'))).toEqual([]);
    // wait until that deadline has really passed (second resolution, plus a margin)
    const pastDeadlineMs = Number(oldEnv.GAMEDAY_DEADLINE) * 1000 + 1100 - Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, pastDeadlineMs)));
    // …until any agent on the node starts after that deadline
    const fresh = ns.agent(agentEnv({ preset: 'egress', to: '127.0.0.2:8080', action: 'reject' }, { drill: 'new-drill', backend: 'auto' }));
    await fresh.waitFor(/applied/, 10_000);
    expect(fresh.lines.some((l) => l.includes('reaping expired chain'))).toBe(true);
    const left = ours(ns.rules('iptables-legacy'));
    expect(left.some((l) => l.includes('old-drill'))).toBe(false);
    expect(left.some((l) => l.includes('new-drill'))).toBe(true);
    fresh.proc.kill('SIGTERM');
    await fresh.exited;
    expect(ours(ns.rules('iptables-legacy'))).toEqual([]);
    ns.exec('iptables-legacy', ['-X', 'KUBE-IPTABLES-HINT']);
  });

  it('as deployed: the ConfigMap and DaemonSet env the injector builds, run as the pod would run them', async () => {
    await ns.startServer();
    const now = Date.now();
    const rules = renderRules({ preset: 'dns', action: 'reject' }, DRILL, CP);
    const objects = {
      namespace: 'gameday-system',
      name: 'gameday-iptables-test',
      drillId: DRILL,
      faultId: 'f1-nodes',
      nodes: ['n1'],
      chain: chainPrefix(DRILL, 'f1-nodes'),
      rulesFile: rulesFile(rules),
      agentScript: readFileSync(AGENT, 'utf8'),
      image: 'unused',
      deadline: now + 300_000,
      leaseUntil: now + 3_000,
      backend: 'nft' as const,
    };
    // the ConfigMap volume, laid out as the kubelet mounts it
    const mount = join(ns.dir, 'etc-gameday');
    mkdirSync(mount);
    for (const [k, v] of Object.entries(agentConfigMap(objects).data!)) writeFileSync(join(mount, k), v);
    const c = agentDaemonSet(objects).spec!.template.spec!.containers[0]!;
    const env = Object.fromEntries(c.env!.map((e) => [e.name, e.value!.replace(MOUNT, mount).replace(STATE_FILE, join(ns.dir, 'applied'))]));
    expect(c.command).toEqual(['/bin/sh', `${MOUNT}/agent.sh`]);
    const proc = spawn('ip', ['netns', 'exec', ns.name, 'sh', join(mount, 'agent.sh')], { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout!.on('data', (d) => (log += String(d)));
    proc.stderr!.on('data', (d) => (log += String(d)));
    try {
      const until = async (re: RegExp, ms: number) => {
        const end = Date.now() + ms;
        while (!re.test(log)) {
          if (Date.now() > end) throw new Error(`agent did not print ${re}:\n${log}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await until(/applied \d+ rules/, 10_000);
      expect(readFileSync(join(ns.dir, 'applied'), 'utf8')).toContain(DRILL); // what the readiness probe reads
      expect(ns.probe(1000, 'tcp:127.0.0.1:53', 'tcp:127.0.0.1:8080')).toEqual({ 'tcp:127.0.0.1:53': 'refused', 'tcp:127.0.0.1:8080': 'ok' });
      // nobody renews the lease the injector wrote (a dead facilitator): the agent reverts on its own
      await until(/reverted reason=lease-expired/, 10_000);
      expect(ns.probe(1000, 'tcp:127.0.0.1:53')).toEqual({ 'tcp:127.0.0.1:53': 'ok' });
      expect(ours(ns.rules())).toEqual([]);
    } finally {
      proc.kill('SIGKILL');
    }
  });
});
