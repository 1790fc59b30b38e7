#!/usr/bin/env node
// Report and history figures (issue 14): the time, through the built CLI as a user runs it, to
//   - render the report of one 10,000-event drill (`gameday report <id> --format html`; md too), goal < 1 s;
//   - run `gameday history` (text and --format html) over 500 drills, goal < 2 s.
// Medians of --runs runs after one warm-up; also the load average, since the machine is shared.
// The journals are written here (version 1 lines: the reader accepts them without a checksum) in
// a temporary state directory: two faults, hints, all four marks, a probe that flaps, a debrief.
//
//   npm run build && node bench/reports.mjs [--runs 5] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 5) || 5;
const json = args.includes('--json');
if (!existsSync(join(root, 'dist/bundle/main.js'))) {
  console.error('bench: dist/ is missing: run `npm run build` first');
  process.exit(2);
}

/** One drill's journal text with about `n` events; `i` varies the times between drills. */
function drill(id, n, startMs, i = 0) {
  const lines = [];
  let seq = 0;
  const add = (s, body) => lines.push(JSON.stringify({ v: 1, drillId: id, seq: ++seq, at: new Date(startMs + s * 1000).toISOString(), ...body }));
  add(0, { type: 'drill-started', mode: 'facilitated', env: 'staging', scenario: `scenario-${i % 5}`, title: `Scenario ${i % 5}`, pid: 1, host: 'h', objectives: { detectWithin: 180_000, diagnoseWithin: 480_000, mitigateWithin: 720_000, recoverWithin: 600_000 }, hintCount: 3 });
  add(1, { type: 'preflight', ok: true, checks: [] });
  add(5, { type: 'fault-intent', record: { faultId: 'f1', kind: 'k8s.pod-kill', target: 'pod shop/checkout-a', reversible: false, undo: {} } });
  add(5, { type: 'fault-injected', faultId: 'f1' });
  add(6, { type: 'fault-intent', record: { faultId: 'f2', kind: 'aws.elbv2-delete', target: 'loadbalancer shop-public', reversible: true, deadline: startMs + 3_600_000, undo: {} } });
  add(6, { type: 'fault-injected', faultId: 'f2' });
  add(100 + (i % 60), { type: 'hint-revealed', index: 0, text: 'look at the front door', trigger: 'timed' });
  add(150 + (i % 90), { type: 'mark', mark: 'detected' });
  add(300 + (i % 200), { type: 'mark', mark: 'diagnosed' });
  add(500 + (i % 300), { type: 'mark', mark: 'mitigated' });
  add(500 + (i % 300), { type: 'fault-reverted', faultId: 'f2', outcome: 'reverted' });
  // the rest: a probe every second, flapping every 7th result until the end
  const probes = Math.max(0, n - lines.length - 3);
  for (let k = 0; k < probes; k++) add(7 + (k * 900) / Math.max(1, probes), { type: 'probe-result', probe: 'front-door', probeType: 'http', ok: k > probes * 0.7 || k % 7 === 0, detail: 'HTTP 200' });
  add(950, { type: 'debrief', answers: { wentWell: 'x', hard: 'y', gaps: 'z', actionItems: [`alert on 5xx @owner${i % 7}`] } });
  add(960, { type: 'drill-ended', reason: 'completed' });
  return `${lines.join('\n')}\n`;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/**
 * Wall time of one run, and its CPU time (user + system, from bash's `times`): on a shared machine
 * the wall time grows with everyone else's load, the CPU time much less.
 */
function time(argv, env) {
  const t = process.hrtime.bigint();
  const quoted = ['bin/gameday.js', ...argv].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('bash', ['-c', `${JSON.stringify(process.execPath)} ${quoted} >/dev/null || exit $?; times`], { cwd: root, env, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`gameday ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  const children = r.stdout.trim().split('\n').pop().split(/\s+/).map((x) => { const m = /(\d+)m([\d.]+)s/.exec(x); return m ? Number(m[1]) * 60_000 + Number(m[2]) * 1000 : 0; });
  return { wall, cpu: children[0] + children[1] };
}

const state = mkdtempSync(join(tmpdir(), 'gd-bench-reports-'));
try {
  const big = join(state, 'big');
  const many = join(state, 'many');
  mkdirSync(join(big, 'drills'), { recursive: true });
  mkdirSync(join(many, 'drills'), { recursive: true });
  const t0 = Date.parse('2026-01-07T14:00:00Z');
  writeFileSync(join(big, 'drills', '20260107-140000-big-0000.jsonl'), drill('20260107-140000-big-0000', 10_000, t0));
  for (let i = 0; i < 500; i++) {
    const id = `2026${String(1 + Math.floor(i / 28) % 12).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}-${String(100000 + i).slice(-6)}-s${i % 5}-${String(i).padStart(4, '0')}`;
    writeFileSync(join(many, 'drills', `${id}.jsonl`), drill(id, 40, t0 + i * 86_400_000, i));
  }
  const envOf = (dir) => ({ ...process.env, NO_COLOR: '1', GAMEDAY_STATE_DIR: dir, GAMEDAY_CACHE: join(state, 'cache') });
  const cases = [
    { name: 'report of a 10,000-event drill (html)', argv: ['report', '20260107-140000-big-0000', '--format', 'html'], env: envOf(big), goalMs: 1000 },
    { name: 'report of a 10,000-event drill (md)', argv: ['report', '20260107-140000-big-0000'], env: envOf(big), goalMs: 1000 },
    { name: 'history over 500 drills (text)', argv: ['history'], env: envOf(many), goalMs: 2000 },
    { name: 'history over 500 drills (html)', argv: ['history', '--format', 'html'], env: envOf(many), goalMs: 2000 },
  ];
  const load = loadavg()[0];
  const results = cases.map((c) => {
    time(c.argv, c.env); // warm-up
    const t = Array.from({ length: runs }, () => time(c.argv, c.env));
    const ms = t.map((x) => x.wall);
    return { name: c.name, medianMs: Math.round(median(ms)), minMs: Math.round(Math.min(...ms)), maxMs: Math.round(Math.max(...ms)), cpuMedianMs: Math.round(median(t.map((x) => x.cpu))), goalMs: c.goalMs, met: median(ms) < c.goalMs };
  });
  const machine = { cpus: cpus().length, loadAverage1mBefore: Number(load.toFixed(2)), loadAverage1mAfter: Number(loadavg()[0].toFixed(2)), runs };
  if (json) console.log(JSON.stringify({ machine, results }, null, 2));
  else {
    console.log(`${machine.cpus} cores, load average ${machine.loadAverage1mBefore} → ${machine.loadAverage1mAfter}, median of ${runs} runs (CLI wall time)`);
    for (const r of results) console.log(`  ${r.name.padEnd(42)} ${String(r.medianMs).padStart(6)} ms  (min ${r.minMs}, max ${r.maxMs}; CPU ${r.cpuMedianMs} ms)  goal < ${r.goalMs} ms: ${r.met ? 'met' : 'MISSED'}`);
  }
  process.exitCode = results.every((r) => r.met) ? 0 : 1;
} finally {
  rmSync(state, { recursive: true, force: true });
}
