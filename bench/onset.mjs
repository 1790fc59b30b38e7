#!/usr/bin/env node
// Pod-kill onset, side by side with kubectl, on the running sandbox (`gameday sandbox up` first;
// GAMEDAY_CACHE picks the sandbox). For each N, each tool kills all N Running pods of one
// Deployment (kwok nodes, terminationGracePeriodSeconds 30 so every delete leaves a server
// deletionTimestamp) and we record, from the moment the tool's process is spawned:
//   - watch: when an independent `kubectl get pods --watch` saw each pod start terminating
//     (this process stamps each line as it arrives; ms);
//   - server: each pod's deletionTimestamp − 30 s (the API server's own clock, 1 s resolution);
//   - journal (gameday only): the fault-injected times the drill journal recorded.
// first = the first delete after spawn; spread = last − first. Medians over --runs runs.
//
//   node bench/onset.mjs [--n 10,50] [--runs 3] [--tools kubectl,chaostoolkit,gameday] [--json]
// Tools: kubectl (`kubectl delete pods <names…>`, one call), chaostoolkit (`chaos run` of an
// experiment whose one action is chaosk8s's `terminate_pods` with all=true: Chaos Toolkit 1.19.0,
// the newest release that installs on Python 3.11, and chaostoolkit-kubernetes 0.39.0, installed
// from PyPI into $GAMEDAY_CACHE/bench/chaostoolkit by this script the first time), gameday
// (`gameday inject k8s.pod-kill … mode=all`, default rate limit), gameday-burst (the same with
// GAMEDAY_KUBE_QPS/BURST=500).
// Leaves the sandbox running; deletes its namespace at the end.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chaosToolkit } from './chaostoolkit.mjs';
import { cache, flag, KUBECTL, kubectlFor, kwokBenchDeployment, median, opt, sandboxEnvironment, sleep } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const sizes = opt('--n', '10,50').split(',').map(Number);
const runs = Number(opt('--runs', '3'));
const tools = opt('--tools', 'kubectl,chaostoolkit,gameday').split(',');
const json = flag('--json');
const NS = 'gd-bench-onset';
const GRACE = 30;
const sandboxEnv = sandboxEnvironment('onset');
const { kubeArgs, kubectl } = kubectlFor(sandboxEnv);

// a project of the bench's own: a config whose environment is the sandbox with caps that allow N pods
const work = mkdtempSync(join(tmpdir(), 'gd-bench-onset-'));
const config = join(work, 'gameday.yaml');
writeFileSync(config, JSON.stringify({ environments: { bench: { ...sandboxEnv, guards: { ...sandboxEnv.guards, maxTargets: 10_000, maxPercent: 100 } } } }, null, 2));

const manifest = (replicas) => JSON.stringify(kwokBenchDeployment(NS, replicas, { graceSeconds: GRACE }));

function pods() {
  const list = JSON.parse(kubectl('get', 'pods', '-n', NS, '-l', 'app=bench', '-o', 'json'));
  return list.items.map((p) => ({ name: p.metadata.name, terminating: Boolean(p.metadata.deletionTimestamp), ready: (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') }));
}

/** a namespace left terminating by an earlier run must be gone before it is created again */
async function namespaceGone() {
  const until = Date.now() + 120_000;
  while (spawnSync(KUBECTL, [...kubeArgs, 'get', 'namespace', NS, '-o', 'name'], { encoding: 'utf8' }).status === 0) {
    const phase = kubectl('get', 'namespace', NS, '-o', 'jsonpath={.status.phase}');
    if (phase !== 'Terminating') return;
    if (Date.now() > until) throw new Error(`namespace ${NS} is still terminating`);
    await sleep(500);
  }
}

async function settle(n) {
  await namespaceGone();
  const r = spawnSync(KUBECTL, [...kubeArgs, 'apply', '-f', '-'], { input: manifest(n), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
  const until = Date.now() + 180_000;
  for (;;) {
    const ps = pods();
    if (ps.length === n && ps.every((p) => p.ready && !p.terminating)) return ps.map((p) => p.name);
    if (Date.now() > until) throw new Error(`${NS}/bench did not settle at ${n} Ready pods (have ${ps.length})`);
    await sleep(500);
  }
}

/** An independent watch: the first time each pod is seen terminating (or gone), on this clock. */
async function startWatch() {
  const seen = new Map();
  const child = spawn(KUBECTL, [...kubeArgs, 'get', 'pods', '-n', NS, '-l', 'app=bench', '--watch-only', '--output-watch-events', '-o', 'custom-columns=T:.type,NAME:.object.metadata.name,DEL:.object.metadata.deletionTimestamp', '--no-headers']);
  let buf = '';
  child.stdout.on('data', (d) => {
    const at = Date.now();
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop();
    for (const l of lines) {
      const [type, name, del] = l.trim().split(/\s+/);
      if (!name || seen.has(name)) continue;
      if (type === 'DELETED' || (del && del !== '<none>')) seen.set(name, { watch: at, server: del && del !== '<none>' ? Date.parse(del) - GRACE * 1000 : undefined });
    }
  });
  // kubectl prints nothing until a change: give it time to be watching before the kill
  await sleep(1500);
  return { seen, stop: () => child.kill('SIGTERM') };
}

function run(cmd, argv, env = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    // stdout is not read: discarded, not piped (a 500-pod inject prints more than a pipe holds,
    // and a writer to a full pipe nobody drains never exits)
    const child = spawn(cmd, argv, { cwd: work, env: { ...process.env, NO_COLOR: '1', GAMEDAY_STATE_DIR: join(work, 'state'), ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), 180_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ t0, code, err });
    });
  });
}

/** The experiment a Chaos Toolkit user would write: one action, every pod of the selector, no hypothesis. */
function chaosExperiment() {
  const file = join(work, 'experiment.json');
  const action = { type: 'action', name: 'terminate-all-bench-pods', provider: { type: 'python', module: 'chaosk8s.pod.actions', func: 'terminate_pods', arguments: { label_selector: 'app=bench', ns: NS, all: true } } };
  writeFileSync(file, JSON.stringify({ version: '1.0.0', title: 'kill every bench pod', description: 'bench/onset.mjs', method: [action] }));
  return file;
}

const TOOLS = {
  kubectl: (names) => run(KUBECTL, [...kubeArgs, 'delete', 'pods', '-n', NS, ...names]),
  chaostoolkit: () => run(chaosToolkit(cache), ['--no-version-check', '--log-file', join(work, 'chaostoolkit.log'), 'run', '--journal-path', join(work, 'chaos-journal.json'), chaosExperiment()], { KUBECONFIG: sandboxEnv.kube.kubeconfig, KUBERNETES_CONTEXT: sandboxEnv.kube.context }),
  gameday: () => run(process.execPath, [join(root, 'bin/gameday.js'), '-c', config, 'inject', 'k8s.pod-kill', '--env', 'bench', '--target', `namespace=${NS},selector=app=bench`, '--param', 'mode=all', '--yes']),
  'gameday-burst': () =>
    run(process.execPath, [join(root, 'bin/gameday.js'), '-c', config, 'inject', 'k8s.pod-kill', '--env', 'bench', '--target', `namespace=${NS},selector=app=bench`, '--param', 'mode=all', '--yes'], { GAMEDAY_KUBE_QPS: '500', GAMEDAY_KUBE_BURST: '500' }),
};

function journalTimes() {
  const dir = join(work, 'state', 'drills');
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const times = [];
  for (const f of files) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.includes('"fault-injected"')) continue;
      const e = JSON.parse(line);
      if (e.detail?.deletedAtMs) times.push(Number(e.detail.deletedAtMs));
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return times;
}

async function once(tool, n) {
  const names = await settle(n);
  const w = await startWatch();
  const r = await TOOLS[tool](names);
  if (r.code !== 0) throw new Error(`${tool} exited ${r.code}: ${r.err.split('\n').slice(0, 3).join(' | ')}`);
  const deadline = Date.now() + 30_000;
  while (names.some((p) => !w.seen.has(p)) && Date.now() < deadline) await sleep(200);
  w.stop();
  const watch = names.map((p) => w.seen.get(p)?.watch).filter((x) => x !== undefined);
  const server = names.map((p) => w.seen.get(p)?.server).filter((x) => x !== undefined);
  const journal = tool.startsWith('gameday') ? journalTimes() : [];
  const fs = (xs) => (xs.length ? { first: Math.min(...xs) - r.t0, spread: Math.max(...xs) - Math.min(...xs) } : { first: NaN, spread: NaN });
  return { seen: watch.length, watch: fs(watch), server: fs(server), journal: fs(journal) };
}

if (tools.includes('chaostoolkit')) chaosToolkit(cache);
const rows = [];
try {
  for (const n of sizes) {
    for (const tool of tools) {
      const results = [];
      for (let i = 0; i < runs; i++) {
        results.push(await once(tool, n));
        process.stderr.write('.');
      }
      const m = (f) => Math.round(median(results.map(f)));
      rows.push({ n, tool, seen: Math.min(...results.map((x) => x.seen)), watchFirst: m((x) => x.watch.first), watchSpread: m((x) => x.watch.spread), serverFirst: m((x) => x.server.first), serverSpread: m((x) => x.server.spread), journalFirst: m((x) => x.journal.first), journalSpread: m((x) => x.journal.spread) });
    }
  }
} finally {
  spawnSync(KUBECTL, [...kubeArgs, 'delete', 'namespace', NS, '--wait=false'], { encoding: 'utf8' });
  rmSync(work, { recursive: true, force: true });
  process.stderr.write('\n');
}

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model?.trim() ?? 'unknown', node: process.version, loadAverage1m: Math.round(loadavg()[0] * 100) / 100, runs };
if (json) {
  console.log(JSON.stringify({ machine, rows }, null, 2));
} else {
  const s = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '—');
  console.log(`pod-kill onset: all N pods of one Deployment (kwok), from the tool's spawn; medians of ${runs} runs; load ${machine.loadAverage1m} on ${machine.cpus} CPU`);
  console.log('server times are deletionTimestamp − grace: 1 s resolution\n');
  const head = ['N', 'tool', 'first (watch)', 'spread (watch)', 'first (server)', 'spread (server)', 'first (journal)', 'spread (journal)'];
  const body = rows.map((r) => [String(r.n), r.tool, s(r.watchFirst), s(r.watchSpread), s(r.serverFirst), s(r.serverSpread), s(r.journalFirst), s(r.journalSpread)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(fmt(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(fmt(b));
}
