#!/usr/bin/env node
// `npm run bench`: every figure of issue 15 in one table, gameday side by side with kubectl and
// Chaos Toolkit 1.19, measured in this run. It runs the benches below with --json, each against
// the sandbox of the cache it is given, and prints their figures together:
//
//   start-up   bench/startup.mjs    (no sandbox)
//   onset      bench/onset.mjs      (the sandbox of $GAMEDAY_CACHE: `gameday sandbox up`)
//   halt       bench/halt.mjs       with --halt-cache DIR: a sandbox there with kwok nodes that
//                                   may be targeted (`gameday sandbox up --real-nodes 0 --nodes 50`)
//   plan       bench/plan.mjs       with --plan-cache DIR: a sandbox there with room for the pods
//                                   (`gameday sandbox up --real-nodes 0 --nodes 100`)
//
//   npm run bench [-- --runs 3 --n 10,50,100 --halt-cache DIR --plan-cache DIR --pods 10000 --json]
//
// A part that is not asked for is listed as not run, with the command that would run it. Each
// bench's own table (with every run's detail) is what `node bench/<name>.mjs` prints.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, opt } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = opt('--runs', '3');
const sizes = opt('--n', '10,50,100');
const haltCache = opt('--halt-cache', undefined);
const planCache = opt('--plan-cache', undefined);
const pods = opt('--pods', '10000');
const json = flag('--json');

/** Runs bench/<name>.mjs with --json (its progress on our stderr); its parsed answer. */
function bench(name, args, env = {}) {
  process.stderr.write(`bench: ${name} ${args.join(' ')}…\n`);
  const r = spawnSync(process.execPath, [join(root, 'bench', `${name}.mjs`), ...args, '--json'], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`bench/${name}.mjs exited ${r.status}`);
  return JSON.parse(r.stdout);
}

const s = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '—');
const rows = [];
const row = (figure, gameday, kubectl, chaos, goal = '') => rows.push({ figure, gameday, kubectl, chaos, goal });

// start-up: wall time and its ratio to a bare `node -e 0`; CPU ratio beside (load disturbs it less)
const startup = bench('startup', ['--runs', String(Math.max(10, Number(runs) * 5))]);
const st = (name) => startup.rows.find((r) => r.command === name);
const ratio = (r) => `${r.medianMs} ms (${r.ratio.toFixed(2)}×, cpu ${r.cpuRatio.toFixed(2)}×)`;
const chaosHelp = st('chaos --help (Chaos Toolkit 1.19)');
const clientLoad = st('import(dist/bundle/kube-client.js)').medianMs;
row('start-up: node -e 0 (the 1.00×)', `${st('node -e 0').medianMs} ms`, '', '');
row('start-up: node + the Kubernetes client', `${clientLoad} ms`, '', '', 'client load (onset below)');
for (const [name, goal] of [['gameday --help', 1.2], ['gameday list', 1.3], ['gameday show checkout-pod-kill', 1.3], ['gameday validate', 1.3]]) {
  const r = st(name);
  row(`start-up: ${name.replace('gameday ', '')}`, ratio(r), '', name === 'gameday --help' ? `${ratio(chaosHelp)} (chaos --help)` : '', `≤ ${goal}× ${r.ratio <= goal ? 'met' : 'missed'}`);
}

// onset: all N pods of one Deployment, from each tool's spawn, seen by an independent watch
// (gameday twice: with its default client rate limit, 20 requests/s and bursts of 40 — as kubectl
// and Chaos Toolkit run with theirs — and with the limit raised to 500/s, GAMEDAY_KUBE_QPS/BURST)
const onset = bench('onset', ['--n', sizes, '--runs', runs, '--tools', 'kubectl,chaostoolkit,gameday,gameday-burst']);
for (const n of sizes.split(',').map(Number)) {
  const by = (tool) => onset.rows.find((r) => r.n === n && r.tool === tool);
  const [g, b, k, c] = [by('gameday'), by('gameday-burst'), by('kubectl'), by('chaostoolkit')];
  const ahead = (x) => (x && k && c ? `ahead of both: ${x.watchSpread <= Math.min(k.watchSpread, c.watchSpread) ? 'yes' : 'no'}` : '');
  row(`onset N=${n}: first delete (watch)`, s(g?.watchFirst), s(k?.watchFirst), s(c?.watchFirst), g && k ? `kubectl + ${s(g.watchFirst - k.watchFirst)}` : '');
  // the goal is "within 0.2 s of kubectl after client load": a Go binary has no client to load,
  // gameday's is Node's start and the Kubernetes client's (the start-up bench's import of it)
  if (g && k) row(`onset N=${n}: first delete after client load`, s(g.watchFirst - clientLoad), s(k.watchFirst), '', `≤ kubectl + 0.2 s ${g.watchFirst - clientLoad <= k.watchFirst + 200 ? 'met' : 'missed'}`);
  row(`onset N=${n}: spread (watch)`, s(g?.watchSpread), s(k?.watchSpread), s(c?.watchSpread), n === 100 && g ? `< 0.5 s ${g.watchSpread < 500 ? 'met' : 'missed'}; ${ahead(g)}` : ahead(g));
  if (b) row(`onset N=${n}: spread, limit 500/s`, s(b.watchSpread), '', '', ahead(b));
  if (g) row(`onset N=${n}: spread, journal vs server`, `${s(g.journalSpread)} vs ${s(g.serverSpread)}`, '', '', 'server: 1 s resolution');
}

// halt: iptables on the kwok nodes and a deleted load balancer, from `gameday halt`'s spawn
if (haltCache) {
  const halt = bench('halt', ['--runs', runs], { GAMEDAY_CACHE: haltCache });
  // (node.iptables targets every kwok node of that sandbox: as many as it was started with)
  row('halt (iptables on every kwok node + LB): Kubernetes part', s(halt.kubeMs), '', '', `< 2 s ${halt.kubeMs < 2000 ? 'met' : 'missed'}`);
  row('halt: AWS part (reported)', s(halt.awsMs), '', '');
  row('halt: process exits', s(halt.haltMs), '', '');
} else row('halt', 'not run', '', '', 'needs --halt-cache DIR (gameday sandbox up --real-nodes 0 --nodes 50)');

// plan at scale: every pod of a 10,000-pod Deployment resolved, guarded and printed
if (planCache) {
  const plan = bench('plan', ['--pods', pods, '--runs', runs], { GAMEDAY_CACHE: planCache });
  const [g, k] = plan.rows;
  row(`plan ${plan.pods} pods: wall`, s(g.wallMs), `${s(k.wallMs)} (get -o json)`, '', `< 2 s ${g.wallMs < 2000 ? 'met' : 'missed'}`);
  row(`plan ${plan.pods} pods: cpu, peak RSS`, `${s(g.cpuMs)}, ${g.peakRssMiB} MiB`, `${s(k.cpuMs)}, ${k.peakRssMiB} MiB`, '', 'memory reported');
} else row('plan', 'not run', '', '', 'needs --plan-cache DIR (gameday sandbox up --real-nodes 0 --nodes 100)');

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model?.trim() ?? 'unknown', memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version, loadAverage1m: Math.round(loadavg()[0] * 100) / 100, runs: Number(runs) };
if (json) console.log(JSON.stringify({ machine, rows }, null, 2));
else {
  console.log(`\nissue 15, every figure: ${machine.cpus} CPU (${machine.cpuModel}), ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadAverage1m}; medians of ${runs} runs (start-up: ${startup.machine.runs})\n`);
  const head = ['figure', 'gameday', 'kubectl', 'Chaos Toolkit 1.19', 'goal'];
  const body = rows.map((r) => [r.figure, r.gameday, r.kubectl, r.chaos, r.goal]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(fmt(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(fmt(b));
}
