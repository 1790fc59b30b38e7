#!/usr/bin/env node
// How fast the stop button is: from `gameday halt` to every fault reverted and verified, with
// node.iptables on N kwok nodes and a deleted load balancer (aws.elbv2-delete) active at once.
// Each run injects both (detached, `gameday inject`), then times `gameday halt --env bench` from
// its spawn to its exit, and reads each fault's revert from the journals: revert-started →
// reverted (verified) per fault, Kubernetes part and AWS part separately. Medians over --runs.
//
//   GAMEDAY_CACHE=/tmp/gd-bench node bench/halt.mjs [--nodes 50] [--runs 3] [--json]
//
// Needs a sandbox whose kwok nodes may be targeted: `gameday sandbox up --real-nodes 0 --nodes 50`
// (beside a real node, kwok nodes carry gameday.dev/enabled=false and node faults skip them). Use a
// GAMEDAY_CACHE of its own so the bench never meets another sandbox. Clears the halt flag at the end.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { cache, flag, median, opt, sandboxEnvironment } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin', 'gameday.js');
const nodes = Number(opt('--nodes', '50'));
const runs = Number(opt('--runs', '3'));
const json = flag('--json');
const sandboxEnv = sandboxEnvironment('halt', `--real-nodes 0 --nodes ${nodes}`);

// a project of the bench's own: the sandbox as environment `bench`, with caps that allow every node
// (the sandbox's own guards stop at 70 %), its journals in the bench's state directory
const dir = mkdtempSync(join(tmpdir(), 'gd-bench-halt-'));
writeFileSync(join(dir, 'gameday.yaml'), JSON.stringify({ environments: { bench: { ...sandboxEnv, guards: { ...sandboxEnv.guards, maxTargets: 10_000, maxPercent: 100 } } } }, null, 2));
const env = { ...process.env, GAMEDAY_CACHE: cache, NO_COLOR: '1', GAMEDAY_STATE_DIR: join(dir, 'state') };

function gameday(argv, timeoutMs = 300_000) {
  const r = spawnSync(process.execPath, [BIN, ...argv], { cwd: dir, env, encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`gameday ${argv.join(' ')} → exit ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}

function timed(argv) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const c = spawn(process.execPath, [BIN, ...argv], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('exit', (code) => (code === 0 ? resolve({ ms: performance.now() - t0, out }) : reject(new Error(`gameday ${argv.join(' ')} → exit ${code}: ${out.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

/** revert-started → reverted and verified per fault of the journals, by kind */
function revertTimes(since) {
  const drills = join(dir, 'state', 'drills');
  const out = [];
  for (const f of readdirSync(drills).filter((n) => n.endsWith('.jsonl'))) {
    const events = readFileSync(join(drills, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const kinds = new Map(events.filter((e) => e.type === 'fault-intent').map((e) => [e.record.faultId, e.record.kind]));
    for (const started of events.filter((e) => e.type === 'fault-revert-started' && Date.parse(e.at) >= since)) {
      // reverted, and then verified gone (the later of the two)
      const done = events.filter((e) => e.faultId === started.faultId && (e.type === 'fault-reverted' || (e.type === 'fault-verified' && e.phase === 'reverted')));
      const reverted = events.find((e) => e.type === 'fault-reverted' && e.faultId === started.faultId);
      const end = done.length ? Math.max(...done.map((e) => Date.parse(e.at))) : NaN;
      out.push({ kind: kinds.get(started.faultId), started: Date.parse(started.at), ms: end - Date.parse(started.at), revertMs: reverted ? Date.parse(reverted.at) - Date.parse(started.at) : NaN });
    }
  }
  return out;
}

const rows = [];
for (let run = 1; run <= runs; run++) {
  gameday(['inject', 'node.iptables', '--env', 'bench', '--target', 'nodes=all', '--param', 'preset=dns', '--param', 'action=drop', '--duration', '10m', '--acknowledge-node-impact', '--yes']);
  gameday(['inject', 'aws.elbv2-delete', '--env', 'bench', '--target', 'name=shop-public', '--duration', '10m', '--yes']);
  const since = Date.now();
  const halt = await timed(['halt', '--env', 'bench', '--reason', 'bench/halt']);
  const reverts = revertTimes(since);
  const kube = reverts.filter((r) => r.kind === 'node.iptables');
  const aws = reverts.filter((r) => r.kind === 'aws.elbv2-delete');
  rows.push({
    run,
    haltMs: halt.ms,
    // when halt's process had read the journals and began reverting (start-up, lock, fold)
    startedMs: Math.min(...reverts.map((r) => r.started)) - since,
    kubeRevertMs: Math.max(...kube.map((r) => r.started + r.ms)) - since,
    awsRevertMs: Math.max(...aws.map((r) => r.started + r.ms)) - since,
    faults: reverts.length,
  });
  gameday(['halt', '--clear', '--env', 'bench']);
}

const summary = {
  nodes,
  runs,
  haltMs: median(rows.map((r) => r.haltMs)),
  startedMs: median(rows.map((r) => r.startedMs)),
  kubeMs: median(rows.map((r) => r.kubeRevertMs)),
  awsMs: median(rows.map((r) => r.awsRevertMs)),
  rows,
  machine: { cpus: cpus().length, load: loadavg().map((l) => l.toFixed(1)).join(' '), node: process.version },
};
if (json) console.log(JSON.stringify(summary, null, 2));
else {
  console.log(`halt with node.iptables on ${nodes} kwok nodes and a deleted load balancer — ${runs} run(s), medians (load ${summary.machine.load}, ${summary.machine.cpus} cpus, ${process.version})`);
  console.log('all times from the spawn of `gameday halt`');
  console.log('run  halt exits  first revert starts  kubernetes reverted+verified  aws reverted+verified  faults');
  const sec = (ms, w) => `${(ms / 1000).toFixed(2).padStart(w)} s`;
  for (const r of rows) console.log(`${String(r.run).padEnd(4)} ${sec(r.haltMs, 8)}  ${sec(r.startedMs, 17)}  ${sec(r.kubeRevertMs, 26)}  ${sec(r.awsRevertMs, 19)}  ${r.faults}`);
  console.log(`med. ${sec(summary.haltMs, 8)}  ${sec(summary.startedMs, 17)}  ${sec(summary.kubeMs, 26)}  ${sec(summary.awsMs, 19)}   goal: kubernetes part < 2 s`);
}
