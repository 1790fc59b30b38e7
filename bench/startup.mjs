#!/usr/bin/env node
// Startup figures: medians over N runs (after warm-ups) of a bare `node -e 0`, `gameday --help`,
// `list`, `show` and `validate` (in the repository: scenarios/ exists; warm: the validated-scenario
// cache filled by the warm-ups), `list` with that cache off, and, for comparison, loading the
// Kubernetes client (plain from node_modules, and the bundled copy the CLI uses) that the light
// commands must not load. Uses the built CLI (npm run build). Goals (issue 15): `--help` within
// 1.2× of `node -e 0`, `list`/`show`/`validate` within 1.3×.
//
//   npm run bench                      # 15 runs each, 2 warm-ups
//   node bench/startup.mjs --runs 30 --warmup 3 [--json]
// Runs are interleaved (one of each command per round) so that background load on a shared
// machine spreads evenly over the commands instead of landing on one of them. Each run is timed
// twice: wall time, and the CPU time it used (user + system, from the kernel's rusage of the child
// through bench/rusage.py, to the microsecond), which a loaded machine disturbs far less. For comparison, `chaos --help` of Chaos Toolkit 1.19 (bench/chaostoolkit.mjs
// installs it from PyPI the first time).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chaosToolkit } from './chaostoolkit.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const runs = flag('--runs', 15);
const warmup = flag('--warmup', 2);
const json = args.includes('--json');

if (!existsSync(join(root, "dist/bundle/main.js"))) {
  console.error('bench: dist/ is missing: run `npm run build` first');
  process.exit(2);
}

const state = mkdtempSync(join(tmpdir(), 'gd-bench-'));
const env = { ...process.env, NO_COLOR: '1', GAMEDAY_STATE_DIR: state, GAMEDAY_CACHE: join(state, 'cache') };
const cases = [
  { name: 'node -e 0', argv: ['-e', '0'] },
  { name: 'gameday --help', argv: ['bin/gameday.js', '--help'], goal: 1.2 },
  { name: 'gameday list', argv: ['bin/gameday.js', 'list'], goal: 1.3 },
  { name: 'gameday show checkout-pod-kill', argv: ['bin/gameday.js', 'show', 'checkout-pod-kill'], goal: 1.3 },
  { name: 'gameday validate', argv: ['bin/gameday.js', 'validate'], goal: 1.3 },
  { name: 'gameday list (scenario cache off)', argv: ['bin/gameday.js', 'list'], env: { GAMEDAY_NO_SCENARIO_CACHE: '1' } },
  { name: "import('@kubernetes/client-node')", argv: ['--input-type=module', '-e', "await import('@kubernetes/client-node')"] },
  { name: 'import(dist/bundle/kube-client.js)', argv: ['--input-type=module', '-e', "await import('./dist/bundle/kube-client.js')"] },
  { name: 'chaos --help (Chaos Toolkit 1.19)', cmd: chaosToolkit(process.env.GAMEDAY_CACHE ?? join(homedir(), '.cache', 'gameday')), argv: ['--no-version-check', '--help'] },
];
const RUSAGE = join(root, 'bench', 'rusage.py');
const cpuFile = join(state, 'cpu.txt');

/** One run: its wall time and the CPU time (user + system) it used, in ms, as bench/rusage.py measured them. */
function once(c) {
  const r = spawnSync('python3', [RUSAGE, cpuFile, c.cmd ?? process.execPath, ...c.argv], { cwd: root, env: { ...env, ...c.env }, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`bench: ${c.name} exited ${r.status}\n${r.stderr}`);
    process.exit(1);
  }
  const [wall, user, sys] = readFileSync(cpuFile, 'utf8').trim().split(' ').map(Number);
  return { ms: wall * 1000, cpuMs: (user + sys) * 1000 };
}

const times = new Map(cases.map((c) => [c.name, []]));
try {
  for (let i = 0; i < warmup; i++) for (const c of cases) once(c);
  for (let i = 0; i < runs; i++) for (const c of cases) times.get(c.name).push(once(c));
} finally {
  rmSync(state, { recursive: true, force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const base = median(times.get('node -e 0').map((t) => t.ms));
const baseCpu = median(times.get('node -e 0').map((t) => t.cpuMs));
const rows = cases.map((c) => {
  const xs = times.get(c.name).map((t) => t.ms);
  const med = median(xs);
  const cpu = median(times.get(c.name).map((t) => t.cpuMs));
  return { command: c.name, medianMs: Math.round(med), minMs: Math.round(Math.min(...xs)), maxMs: Math.round(Math.max(...xs)), overNodeMs: Math.round(med - base), ratio: Math.round((med / base) * 100) / 100, cpuMs: Math.round(cpu), cpuRatio: Math.round((cpu / baseCpu) * 100) / 100, goal: c.goal };
});
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model?.trim() ?? 'unknown',
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
  runs,
  warmup,
};

if (json) {
  console.log(JSON.stringify({ machine, rows }, null, 2));
} else {
  console.log(`machine: ${machine.cpus} CPU (${machine.cpuModel}), ${machine.memoryGiB} GiB, node ${machine.node} ${machine.platform}, load ${machine.loadAverage1m}`);
  console.log(`${runs} runs each after ${warmup} warm-up(s), interleaved; medians of the whole process's wall time and CPU time (user + system)\n`);
  const head = ['command', 'wall ms', 'min', 'max', '×node', 'cpu ms', '×node cpu', 'goal (wall)'];
  const body = rows.map((r) => [r.command, String(r.medianMs), String(r.minMs), String(r.maxMs), r.ratio.toFixed(2), String(r.cpuMs), r.cpuRatio.toFixed(2), r.goal ? `≤ ${r.goal} ${r.ratio <= r.goal ? 'met' : 'missed'}` : '']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(fmt(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(fmt(b));
}
