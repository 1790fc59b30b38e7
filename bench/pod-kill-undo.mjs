#!/usr/bin/env node
// k8s.pod-kill at scale without a cluster (issue 15): what a kill of N pods of one Deployment
// costs in the journal, and what its replacement trackers cost per watch event — the code of this
// working tree ("after") side by side with the code of a base revision ("before").
//
//   node bench/pod-kill-undo.mjs [--n 10,100,500,10000] [--events-n 500] [--trackers before,after] [--base <rev>] [--json]
//
// Journal: select + prepare on an in-memory pod store of N pods, each target's undo appended as
// the runner appends it (a `fault-intent` line, through the real JournalStore into a scratch state
// directory); the figure is the bytes of those lines. The old undo repeated the owner's chosen and
// listed pod names in every target, so at large N its lines are computed instead of written (the
// same line with both lists' JSON counted, not built; checked against the written lines at the
// sizes that are written).
// Trackers: a kill of --events-n pods through inject and observe, every tracker waiting; then one
// replacement pod per kill arrives (ADDED), and then each becomes Ready (MODIFIED): the CPU time
// (user + system, this process) of delivering each event to the watch and letting every tracker
// look its replacement up. --trackers after: the new code alone (the old one takes minutes past N = 1,000;
// it also makes Node print a MaxListenersExceededWarning: its trackers listened on one shared signal).
// Both versions are bundled with esbuild from source: the working tree, and `git archive <base>`
// (read-only; the default base is the last commit before this change). No timing is asserted.
/* global AbortController */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { flag, opt } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const sizes = opt('--n', '10,100,500,10000').split(',').map(Number);
const eventsN = Number(opt('--events-n', '500'));
const trackerVersions = opt('--trackers', 'before,after').split(',');
/** the last commit whose undo carried `peers` and `known` */
const base = opt('--base', 'c7974b6');
const json = flag('--json');
const WRITE_OLD_UP_TO = 500; // beyond this, old journals are gigabytes: computed, not written

const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'gd-bench-undo-'));

/** The injector and the journal of one source tree, bundled into one module. */
async function load(name, srcRoot) {
  const entry = join(work, `${name}-entry.ts`);
  writeFileSync(
    entry,
    [`export { k8sPodKill } from '${srcRoot}/src/injectors/k8s-pod-kill/index.ts';`, `export { JournalStore } from '${srcRoot}/src/adapters/journal-store.ts';`, `export { seededRandom } from '${srcRoot}/src/core/random.ts';`].join('\n'),
  );
  const outfile = join(work, `${name}.mjs`);
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile, nodePaths: [join(root, 'node_modules')], logLevel: 'error' });
  return import(outfile);
}

/** Pods in memory, listed and watched as the KubePort does it; deletes remove them. */
function podStore(n) {
  const pods = new Map();
  const watchers = new Set();
  const owner = { kind: 'ReplicaSet', name: 'web-7d4b9c', uid: 'rs-web' };
  const make = (name, extra = {}) => ({ namespace: 'shop', name, uid: `uid-${name}`, phase: 'Running', labels: { app: 'web', 'pod-template-hash': '7d4b9c' }, nodeName: 'kwok-node-1', createdAt: Date.now() - 3_600_000, owner, scheduledAt: 1, readyAt: 1, ...extra });
  for (let i = 0; i < n; i++) pods.set(`web-7d4b9c-${String(i).padStart(5, '0')}`, make(`web-7d4b9c-${String(i).padStart(5, '0')}`));
  const emit = (type, p) => {
    for (const w of [...watchers]) w(type, p);
  };
  const set = (p) => {
    const type = pods.has(p.name) ? 'MODIFIED' : 'ADDED';
    pods.set(p.name, p);
    emit(type, p);
  };
  const port = {
    namespaceLabels: async () => ({ 'gameday.dev/enabled': 'true' }),
    listPods: async () => [...pods.values()],
    watchPods: async (_ns, _sel, onEvent, signal, onSynced) => {
      await Promise.resolve();
      for (const p of pods.values()) onEvent('ADDED', p);
      onSynced?.();
      watchers.add(onEvent);
      await new Promise((r) => (signal.aborted ? r() : signal.addEventListener('abort', r, { once: true })));
      watchers.delete(onEvent);
    },
    deletePod: async (_ns, name) => {
      const p = pods.get(name);
      if (!p) return { outcome: 'not-found' };
      pods.delete(name);
      emit('DELETED', p);
      const at = Date.now();
      return { outcome: 'deleted', sentAt: at, acknowledgedAt: at };
    },
  };
  return { port, set, make };
}

const env = { name: 'bench', critical: false, guards: { optInLabel: 'gameday.dev/enabled=true', optInTag: 'gameday:enabled=true', protectedNamespaces: [], maxTargets: 100_000, maxPercent: 100, windows: [] }, defaultDuration: 600_000, maxDuration: 3_600_000 };
const context = (kube) => ({ env, ports: { kube }, signal: new AbortController().signal, progress: () => {}, now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
const spec = { namespace: 'shop', selector: 'app=web' };

/** Selects all n pods and prepares each target's undo, as the runner does before journaling. */
async function prepared(mod, n, store = podStore(n)) {
  const ctx = context(store.port);
  const params = mod.k8sPodKill.paramsSchema.parse({ mode: 'all', gracePeriod: 0 });
  const sel = await mod.k8sPodKill.select(ctx, spec, params, mod.seededRandom(15));
  const targets = await Promise.all(sel.targets.map(async (t) => ({ t, ref: { faultId: `f1-${t.id}`, drillId: 'bench-undo', attached: true }, undo: await mod.k8sPodKill.prepare(ctx, t, params, {}) })));
  return { ctx, params, store, targets };
}

const recordOf = (p, undo) => ({ faultId: p.ref.faultId, kind: 'k8s.pod-kill', target: `pod shop/${p.t.id}`, reversible: false, undo });

/** Bytes of the fault-intent lines, appended through the real journal. */
function journalBytes(mod, targets, undoOf = (p) => p.undo) {
  const state = mkdtempSync(join(work, 'state-'));
  const journal = new mod.JournalStore(state).open('bench-undo');
  for (const p of targets) journal.append({ type: 'fault-intent', record: recordOf(p, undoOf(p)) });
  const bytes = readFileSync(journal.file).length;
  rmSync(state, { recursive: true, force: true });
  return bytes;
}

/** The old lines, counted: each written with its two lists as `0`, plus the lists' JSON (shared per owner, serialised once). */
function oldJournalBytesCounted(mod, targets) {
  const jsonOf = new Map();
  const len = (a) => (jsonOf.has(a) ? jsonOf.get(a) : (jsonOf.set(a, JSON.stringify(a).length), jsonOf.get(a)));
  const extra = targets.reduce((n, p) => n + len(p.undo.peers) - 1 + len(p.undo.known) - 1, 0);
  return journalBytes(mod, targets, (p) => ({ ...p.undo, peers: 0, known: 0 })) + extra;
}

/** Kill n pods through inject + observe; CPU time of the replacement events that follow, with every tracker waiting. */
async function trackerCpu(mod, n) {
  const { ctx, params, store, targets } = await prepared(mod, n);
  const injected = await Promise.all(targets.map((p) => mod.k8sPodKill.inject(ctx, p.t, params, p.undo, p.ref)));
  let reports = 0;
  const observed = Promise.all(targets.map((p, i) => mod.k8sPodKill.observe(ctx, p.undo, injected[i], async () => void reports++, p.ref)));
  const drain = () => nextTurn(); // every tracker woken by the event has looked
  await drain();
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const replacements = Array.from({ length: n }, (_, i) => store.make(`web-5f6a7b-${String(i).padStart(5, '0')}`, { createdAt: Date.now(), scheduledAt: undefined, readyAt: undefined }));
  const c0 = cpu();
  for (const r of replacements) {
    store.set(r);
    await drain();
  }
  const c1 = cpu();
  for (const r of replacements) {
    store.set({ ...r, scheduledAt: Date.now(), readyAt: Date.now() });
    await drain();
  }
  const c2 = cpu();
  await observed;
  if (reports !== n) throw new Error(`bench: ${reports} of ${n} kills reported`);
  return { addedMs: Math.round(c1 - c0), readyMs: Math.round(c2 - c1) };
}

const fmtBytes = (b) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);

try {
  const beforeSrc = join(work, 'before');
  mkdirSync(beforeSrc);
  execFileSync('bash', ['-c', `git -C '${root}' archive '${base}' src | tar -x -C '${beforeSrc}'`]);
  const before = await load('before', beforeSrc);
  const after = await load('after', root);

  const journal = [];
  for (const n of sizes) {
    const a = await prepared(after, n);
    const b = await prepared(before, n);
    const afterBytes = journalBytes(after, a.targets);
    const counted = oldJournalBytesCounted(before, b.targets);
    const written = n <= WRITE_OLD_UP_TO ? journalBytes(before, b.targets) : undefined;
    if (written !== undefined && written !== counted) throw new Error(`bench: old journal at N=${n}: written ${written} B, counted ${counted} B`);
    journal.push({ n, beforeBytes: counted, beforeWritten: written !== undefined, afterBytes, afterBytesPerTarget: Math.round(afterBytes / n) });
  }
  const trackers = { n: eventsN };
  for (const [name, mod] of [['before', before], ['after', after]]) if (trackerVersions.includes(name)) trackers[name] = await trackerCpu(mod, eventsN);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model?.trim() ?? 'unknown', node: process.version, loadAverage1m: Math.round(loadavg()[0] * 100) / 100, base };

  if (json) console.log(JSON.stringify({ machine, journal, trackers }, null, 2));
  else {
    console.log(`k8s.pod-kill, one Deployment, mode all; before = ${base}, after = this working tree; ${machine.cpus} CPU, node ${machine.node}, load ${machine.loadAverage1m}\n`);
    console.log('fault-intent lines in the journal (N targets)');
    for (const j of journal) console.log(`  N = ${String(j.n).padStart(6)}   before ${fmtBytes(j.beforeBytes).padStart(10)}${j.beforeWritten ? '' : ' (counted)'}   after ${fmtBytes(j.afterBytes).padStart(9)} (${j.afterBytesPerTarget} B per target)`);
    console.log(`\ntrackers of a ${eventsN}-pod kill, CPU time of the events that follow (every tracker waiting)`);
    const ms = (v, k) => (trackers[v] ? `${v} ${String(trackers[v][k]).padStart(7)} ms` : '');
    console.log(`  ${eventsN} replacements ADDED:       ${ms('before', 'addedMs')}   ${ms('after', 'addedMs')}`);
    console.log(`  ${eventsN} replacements made Ready:  ${ms('before', 'readyMs')}   ${ms('after', 'readyMs')}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
