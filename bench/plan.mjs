#!/usr/bin/env node
// `gameday plan` at scale: a namespace of N Running pods (one Deployment on kwok nodes), planned
// by a scenario that kills them all (every pod is a target the plan resolves, guards and prints),
// timed from the process's spawn to its exit, with its CPU time and peak RSS (/usr/bin/time), side
// by side with `kubectl get pods -l … -o json` of the same pods. Medians over --runs. Goal
// (issue 15): under 2 s for 10,000 pods, memory reported.
//
//   GAMEDAY_CACHE=/tmp/gd-bench-plan node bench/plan.mjs [--pods 10000] [--runs 3] [--json] [--profile]
//
// --profile: one more plan run under `node --cpu-prof`, summarized (bench/profile-summary.mjs):
// where the time goes — idle (waiting for the API server), GC, the busiest functions and files.
//
// Needs a sandbox with room for the pods: kwok nodes hold 110 pods each, so for 10,000
// `gameday sandbox up --real-nodes 0 --nodes 100` (beside a real node, kwok nodes are not
// targets). Use a GAMEDAY_CACHE of its own: the pods load the API server for everyone on it.
// Deletes its namespace at the end and leaves the sandbox running.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeProfiles } from './profile-summary.mjs';
import { flag, KUBECTL, kubectlFor, kwokBenchDeployment, median, opt, sandboxEnvironment, sleep } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin', 'gameday.js');
const pods = Number(opt('--pods', '10000'));
const runs = Number(opt('--runs', '3'));
const json = flag('--json');
const profile = flag('--profile');
const NS = 'gd-bench-plan';
const TIME = '/usr/bin/time';
const sandboxEnv = sandboxEnvironment('plan', `--real-nodes 0 --nodes ${Math.ceil(pods / 100)}`);
const { kubeArgs, kubectl } = kubectlFor(sandboxEnv);

// a project of the bench's own: the sandbox as environment `bench`, caps that allow every pod
const work = mkdtempSync(join(tmpdir(), 'gd-bench-plan-'));
writeFileSync(join(work, 'gameday.yaml'), JSON.stringify({ environments: { bench: { ...sandboxEnv, guards: { ...sandboxEnv.guards, maxTargets: 100_000, maxPercent: 100 } } } }, null, 2));
writeFileSync(
  join(work, 'bench-plan.yaml'),
  ['id: bench-plan', 'title: Every bench pod', 'summary: bench/plan.mjs', 'briefing: bench/plan.mjs', 'faults:', '  - kind: k8s.pod-kill', `    target: { namespace: ${NS}, selector: app=bench }`, '    params: { mode: all }', ''].join('\n'),
);
const env = { ...process.env, NO_COLOR: '1', GAMEDAY_STATE_DIR: join(work, 'state') };

/** N Running pods of one Deployment on the kwok nodes, in an opted-in namespace. */
async function settle() {
  const file = join(work, 'manifest.json');
  writeFileSync(file, JSON.stringify(kwokBenchDeployment(NS, pods)));
  kubectl('apply', '-f', file);
  const t0 = Date.now();
  for (;;) {
    const ready = Number(kubectl('get', 'deployment', 'bench', '-n', NS, '-o', 'jsonpath={.status.readyReplicas}') || 0);
    if (ready >= pods) return (Date.now() - t0) / 1000;
    if (Date.now() - t0 > 30 * 60_000) throw new Error(`bench/plan: only ${ready} of ${pods} pods Ready after 30 min (kwok nodes hold 110 pods each: enough nodes?)`);
    process.stderr.write(`\rbench/plan: ${ready}/${pods} pods Ready…`);
    await sleep(5000);
  }
}

/** One timed run of argv (through /usr/bin/time): wall, CPU and peak RSS. */
function timed(cmd, argv) {
  const out = join(work, 'time.txt');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TIME, ['-f', '%U %S %M', '-o', out, cmd, ...argv], { cwd: work, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} → exit ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  const [user, sys, maxKiB] = readFileSync(out, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return { ms, cpuMs: (user + sys) * 1000, rssMiB: maxKiB / 1024, stdout: r.stdout };
}

const cases = [
  { name: `gameday plan (${pods} targets)`, cmd: process.execPath, argv: [BIN, 'plan', 'bench-plan.yaml', '--env', 'bench', '--json'], goalMs: 2000 },
  { name: 'kubectl get pods -o json', cmd: KUBECTL, argv: [...kubeArgs, 'get', 'pods', '-n', NS, '-l', 'app=bench', '-o', 'json'] },
];

let settleS;
let profileText;
const results = new Map(cases.map((c) => [c.name, []]));
try {
  settleS = await settle();
  process.stderr.write('\n');
  // the plan must really have resolved every pod, or the figure means nothing
  const plan = JSON.parse(timed(cases[0].cmd, cases[0].argv).stdout);
  const targets = plan.faults?.[0]?.targets?.length ?? 0;
  if (targets !== pods) throw new Error(`bench/plan: the plan resolved ${targets} targets, not ${pods}`);
  for (let i = 0; i < runs; i++) for (const c of cases) results.get(c.name).push(timed(c.cmd, c.argv));
  if (profile) {
    const dir = join(work, 'profile');
    timed(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...cases[0].argv]);
    profileText = summarizeProfiles(dir);
  }
} finally {
  spawnSync(KUBECTL, [...kubeArgs, 'delete', 'namespace', NS, '--wait=false'], { encoding: 'utf8' });
  rmSync(work, { recursive: true, force: true });
}

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model?.trim() ?? 'unknown', memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version, loadAverage1m: Math.round(loadavg()[0] * 100) / 100, runs };
const rows = cases.map((c) => {
  const xs = results.get(c.name);
  return { command: c.name, wallMs: Math.round(median(xs.map((x) => x.ms))), cpuMs: Math.round(median(xs.map((x) => x.cpuMs))), peakRssMiB: Math.round(median(xs.map((x) => x.rssMiB))), goalMs: c.goalMs };
});
if (json) {
  console.log(JSON.stringify({ machine, pods, settleS, rows }, null, 2));
} else {
  console.log(`plan on ${pods} Running pods (kwok; Ready after ${settleS?.toFixed(0)} s); medians of ${runs} runs; ${machine.cpus} CPU, ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadAverage1m}\n`);
  const head = ['command', 'wall', 'cpu', 'peak RSS', 'goal'];
  const body = rows.map((r) => [r.command, `${(r.wallMs / 1000).toFixed(2)} s`, `${(r.cpuMs / 1000).toFixed(2)} s`, `${r.peakRssMiB} MiB`, r.goalMs ? `< ${r.goalMs / 1000} s ${r.wallMs < r.goalMs ? 'met' : 'missed'}` : '']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(fmt(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(fmt(b));
}
if (profileText) console.log(`\ngameday plan under node --cpu-prof (one more run):\n${profileText}`);
