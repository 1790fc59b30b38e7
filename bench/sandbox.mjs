#!/usr/bin/env node
// Sandbox figures: warm `gameday sandbox up` (fresh start, cache warm), `up` again (reuse),
// memory (sum of RSS of the sandbox's processes), and the cold provisioning time from a
// provision log. Uses the built CLI (npm run build first). Leaves the sandbox running.
//
//   node bench/sandbox.mjs [--no-restart] [--provision-log /tmp/provision.log]
// --no-restart measures only the reuse path and memory (does not stop a sandbox others use).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const cli = new URL('../bin/gameday.js', import.meta.url).pathname;
const args = process.argv.slice(2);
const restart = !args.includes('--no-restart');
const logIdx = args.indexOf('--provision-log');
const provisionLog = logIdx >= 0 ? args[logIdx + 1] : '/tmp/provision.log';

function gameday(...a) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...a], { encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    throw new Error(`gameday ${a.join(' ')} exited ${r.status}`);
  }
  return { s, out: r.stdout };
}

function coldProvision(file) {
  if (!file || !existsSync(file)) return undefined;
  const times = [...readFileSync(file, 'utf8').matchAll(/\[provision (\d\d):(\d\d):(\d\d)\]/g)].map((m) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]));
  if (times.length < 2) return undefined;
  let span = times[times.length - 1] - times[0];
  if (span < 0) span += 86400;
  return span;
}

const rows = [];
rows.push(['machine', `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`]);
const cold = coldProvision(provisionLog);
rows.push(['cold provisioning (from log)', cold === undefined ? `n/a (no ${provisionLog})` : `${(cold / 60).toFixed(1)} min (${cold} s)`]);
rows.push(['warm provisioning (no-op)', `${gameday('sandbox', 'provision').s.toFixed(1)} s`]);
if (restart) {
  // the budget of issue 9: a real node may add at most 30 s to a warm up and 600 MiB of memory
  gameday('sandbox', 'down');
  rows.push(['warm `sandbox up --real-nodes 0` (fresh start)', `${gameday('sandbox', 'up', '--real-nodes', '0').s.toFixed(1)} s`]);
  gameday('sandbox', 'down');
  rows.push(['warm `sandbox up` (1 real node, fresh start)', `${gameday('sandbox', 'up').s.toFixed(1)} s`]);
  rows.push(['`sandbox down` (1 real node)', `${gameday('sandbox', 'down').s.toFixed(1)} s`]);
  gameday('sandbox', 'up');
} else {
  gameday('sandbox', 'up');
}
rows.push(['`sandbox up` again (reuse)', `${gameday('sandbox', 'up').s.toFixed(2)} s`]);
const st = JSON.parse(gameday('sandbox', 'status', '--json').out);
let total = 0;
const per = [];
for (const c of st.components) {
  total += c.rssKiB ?? 0;
  per.push(`${c.name} ${Math.round((c.rssKiB ?? 0) / 1024)}`);
}
rows.push(['sandbox memory (sum of RSS)', `${Math.round(total / 1024)} MiB (${per.join(', ')} MiB)`]);
// a real node's share: its cgroup (containerd, shims, kubelet, kube-proxy, pods) and the VPC's processes
const real = st.components.filter((c) => /^(node-|relay-|database$)/.test(c.name)).reduce((a, c) => a + (c.rssKiB ?? 0), 0);
rows.push(['what the real node adds', `${Math.round(real / 1024)} MiB (node cgroup + relays + database)`]);
const w = Math.max(...rows.map((r) => r[0].length));
for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
try {
  console.log(`kubectl: ${execFileSync(`${process.env.GAMEDAY_CACHE ?? `${process.env.HOME}/.cache/gameday`}/bin/kubectl`, ['version', '--client'], { encoding: 'utf8' }).split('\n')[0]}`);
} catch {
  /* not provisioned */
}
