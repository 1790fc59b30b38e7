/**
 * Issue 13, the journal the team shares: drill journals as ConfigMaps in gameday-system of the
 * sandbox's real kube-apiserver (src/adapters/kube/cluster-journal.ts). The file store's own tests,
 * run against the cluster store: order, several processes appending at once, SIGKILL while
 * appending, chunk rollover (also under concurrency), damaged records named by their object; and
 * `gameday halt` from another machine's point of view (another working directory, state directory
 * and GAMEDAY_CACHE) reverting a fault injected by someone else, exactly once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterJournalStore, chunkName, SEALED_ANNOTATION } from '../../src/adapters/kube/cluster-journal.js';
import { ClusterHaltFlag } from '../../src/adapters/kube/cluster-halt.js';
import { ConfigMaps } from '../../src/adapters/kube/config-maps.js';
import { kubeConnectionFor } from '../../src/adapters/kube/kubeconfig-sync.js';
import { SyncKubeApi } from '../../src/adapters/kube/sync-api.js';
import { foldDrill } from '../../src/core/drill-state.js';
import { TOOLKIT_NAMESPACE, type Environment } from '../../src/core/environment.js';
import { ensureBuilt } from '../helpers/cli.js';
import { testNamespace, type TestNamespace } from '../helpers/kube.js';
import { kube, randomSuffix, sandbox, sandboxEnvironment, waitUntil } from '../helpers/sandbox/sandbox.js';

const APPENDER = resolve(import.meta.dirname, '../fixtures/cluster-journal-appender.mjs');
const BIN = resolve('bin/gameday.js');
const run = Math.random().toString(36).slice(2, 7);
let env: Environment;
let maps: ConfigMaps;
let store: ClusterJournalStore;
let dir: string;
const drillIds: string[] = [];
const newId = (what: string) => {
  const id = `20261203-000000-it-${what}-${run}`;
  drillIds.push(id);
  return id;
};

beforeAll(async () => {
  await ensureBuilt();
  env = sandboxEnvironment();
  maps = new ConfigMaps(new SyncKubeApi(kubeConnectionFor(env)));
  store = new ClusterJournalStore(maps, 'sandbox (test)');
  dir = mkdtempSync(join(tmpdir(), 'gd-cluster-journal-'));
}, 300_000);

afterAll(async () => {
  const { core } = await kube();
  for (const id of drillIds) await core.deleteCollectionNamespacedConfigMap({ namespace: TOOLKIT_NAMESPACE, labelSelector: `gameday.dev/drill=${id}` }).catch(() => undefined);
  maps?.api.close();
  rmSync(dir, { recursive: true, force: true });
});

const spawnAppender = (drillId: string, count: number, tag: string, chunkBytes?: number) =>
  spawn(process.execPath, [APPENDER, JSON.stringify(env), drillId, String(count), tag, ...(chunkBytes ? [String(chunkBytes)] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });

function collect(child: ReturnType<typeof spawnAppender>): { out: () => string; err: () => string; closed: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return { out: () => out, err: () => err, closed: new Promise((r) => child.on('close', (code) => r(code))) };
}

/** A test.marker fault's intent (its marker file is never made: only the journal line matters here). */
const intentOf = (faultId: string) => ({ type: 'fault-intent', record: { faultId, kind: 'test.marker', target: `marker ${faultId}`, reversible: true, deadline: Date.now() + 600_000, undo: { path: join(dir, `${faultId}.fault`), log: join(dir, `${faultId}.log`) } } }) as const;

const ackedSeqs = (out: string) => out.split('\n').slice(0, -1).filter((l) => /^\d+$/.test(l)).map(Number);

describe('the cluster journal store (ConfigMaps in gameday-system)', () => {
  it('appends in order, reads back the same events, labelled as ours; a second writer continues after the first', () => {
    const id = newId('order');
    const a = store.open(id);
    const b = store.open(id);
    expect(a.append({ type: 'mark', mark: 'note', text: 'one' }).seq).toBe(1);
    expect(b.append({ type: 'mark', mark: 'note', text: 'two' }).seq).toBe(2);
    expect(a.append({ type: 'mark', mark: 'note', text: 'three' }).seq).toBe(3);
    const read = store.read(id);
    expect(read.problems).toEqual([]);
    expect(read.events.map((e) => [e.seq, e.type === 'mark' ? e.text : ''])).toEqual([[1, 'one'], [2, 'two'], [3, 'three']]);
    expect(store.list()).toContain(id);
    const cm = maps.get(chunkName(id, 0))!;
    expect(cm.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'gameday', 'gameday.dev/drill': id, 'gameday.dev/record': 'journal', 'gameday.dev/chunk': '0' });
    expect(a.location).toBe(`configmap ${TOOLKIT_NAMESPACE}/${chunkName(id, 0)}`);
  });

  it('two closers end a drill once: the second appendEnd finds the first\'s end and appends nothing', () => {
    const id = newId('ends');
    const drill = store.open(id);
    const halt = store.open(id);
    drill.append({ type: 'mark', mark: 'note', text: 'one' });
    expect(halt.appendEnd({ type: 'drill-ended', reason: 'halted', detail: 'closed by halt' })?.seq).toBe(2);
    expect(drill.appendEnd({ type: 'drill-ended', reason: 'halted' })).toBeUndefined();
    expect(store.read(id).events.filter((e) => e.type === 'drill-ended')).toMatchObject([{ seq: 2, detail: 'closed by halt' }]);
  });

  it('4 processes × 60 appends on one journal: 240 events, seqs 1..240 each once, in stored order', async () => {
    const id = newId('many');
    const started = Date.now();
    const kids = ['a', 'b', 'c', 'd'].map((tag) => collect(spawnAppender(id, 60, tag)));
    const codes = await Promise.all(kids.map((k) => k.closed));
    expect(codes, kids.map((k) => k.err()).join('\n')).toEqual([0, 0, 0, 0]);
    const read = store.read(id);
    expect(read.problems).toEqual([]);
    expect(read.events.map((e) => e.seq)).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
    // every acknowledged seq is there, with the text its own writer gave it
    const acked = kids.flatMap((k) => ackedSeqs(k.out()));
    expect(new Set(acked).size).toBe(240);
    console.log(`4 × 60 concurrent cluster appends in ${Date.now() - started} ms`);
  }, 180_000);

  it('chunk rollover: small chunks fill, are sealed and continue in the next object, also with 3 writers at once', async () => {
    const id = newId('chunks');
    const small = new ClusterJournalStore(maps, 'sandbox (test)', 4096);
    const w = small.open(id);
    for (let i = 0; i < 30; i++) w.append({ type: 'mark', mark: 'note', text: `solo-${i} ${'y'.repeat(200)}` });
    const kids = ['p', 'q', 'r'].map((tag) => collect(spawnAppender(id, 25, tag, 4096)));
    expect(await Promise.all(kids.map((k) => k.closed)), kids.map((k) => k.err()).join('\n')).toEqual([0, 0, 0]);
    const chunks = small.chunks(id);
    expect(chunks.length).toBeGreaterThan(3);
    chunks.forEach((c, i) => {
      expect(c.metadata.name).toBe(chunkName(id, i));
      expect(c.metadata.annotations?.[SEALED_ANNOTATION]).toBe(i < chunks.length - 1 ? 'true' : undefined);
      expect(Buffer.byteLength(String(c.data?.events))).toBeLessThanOrEqual(4096);
    });
    const read = small.read(id);
    expect(read.problems).toEqual([]);
    expect(read.events.map((e) => e.seq)).toEqual(Array.from({ length: 105 }, (_, i) => i + 1));
  }, 180_000);

  it('SIGKILL of appending processes, over and over on one journal, loses no acknowledged event', async () => {
    const id = newId('crash');
    const acked = new Set<number>();
    const KILLS = 25;
    for (let k = 0; k < KILLS; k++) {
      const child = spawnAppender(id, 0, `k${k}`, k % 2 ? 8192 : undefined);
      const c = collect(child);
      const until = Date.now() + 20_000;
      while (!c.out().includes('ready\n') && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 120));
      child.kill('SIGKILL');
      await c.closed;
      expect(c.err()).toBe('');
      expect(child.signalCode).toBe('SIGKILL');
      for (const s of ackedSeqs(c.out())) acked.add(s);
      const read = store.read(id);
      const seqs = read.events.map((e) => e.seq);
      expect([...acked].filter((s) => !seqs.includes(s)), JSON.stringify(read.problems.slice(0, 3))).toEqual([]);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // nothing lost, nothing doubled
      expect(read.problems).toEqual([]);
      expect(() => foldDrill(id, read.events)).not.toThrow();
    }
    expect(acked.size).toBeGreaterThan(KILLS);
    console.log(`${KILLS} kills, ${acked.size} acknowledged cluster appends, ${store.chunks(id).length} chunk(s)`);
  }, 300_000);

  it('a damaged record is reported naming its object and line, as possibly hiding a fault; a lost chunk too', () => {
    const id = newId('damaged');
    const small = new ClusterJournalStore(maps, 'sandbox (test)', 1024);
    const w = small.open(id);
    w.append(intentOf('f-1'));
    for (let i = 0; i < 12; i++) w.append({ type: 'mark', mark: 'note', text: `n${i} ${'z'.repeat(150)}` });
    const first = maps.get(chunkName(id, 0))!;
    const text = String(first.data!.events);
    // one changed byte in the fault's intent (line 1; a hand edit): its checksum no longer holds
    const lines = text.split('\n');
    lines[0] = lines[0]!.replace('marker f-1', 'marker F-1');
    expect(maps.replace({ ...first, data: { events: lines.join('\n') } })).toBe('replaced');
    const read = small.read(id);
    expect(read.problems[0]).toMatchObject({ file: `configmap ${TOOLKIT_NAMESPACE}/${chunkName(id, 0)}`, line: 1, mayHideFault: true });
    expect(read.problems[0]!.message).toMatch(/checksum mismatch/);
    // a whole chunk lost (deleted by hand): the gap is named
    const chunks = small.chunks(id);
    expect(chunks.length).toBeGreaterThan(2);
    const gone = chunks[1]!.metadata;
    maps.deleteIfUnchanged(gone.name, gone.uid, undefined);
    const after = small.read(id);
    expect(after.problems.filter((p) => /missing before this one/.test(p.message))).toHaveLength(1); // only where the gap is
    expect(after.problems.some((p) => p.mayHideFault && p.file === `configmap ${TOOLKIT_NAMESPACE}/${chunkName(id, 2)}` && /chunk 1 is missing before this one/.test(p.message))).toBe(true);
    // a drill with unreadable lines counts for every environment's halt: leave none for the halt tests below
    for (const c of small.chunks(id)) maps.deleteIfUnchanged(c.metadata.name, c.metadata.uid, undefined);
  });

  it('the cluster halt flag: set for one environment, seen by another reader, cleared', () => {
    const a = new ClusterHaltFlag(maps);
    const b = new ClusterHaltFlag(new ConfigMaps(new SyncKubeApi(kubeConnectionFor(env))));
    const name = `it-halt-${run}`;
    a.set(name, 'test');
    expect(b.state(name)).toMatchObject({ halted: true, reason: 'test', scope: 'env' });
    expect(b.state(`${name}-other`).halted).toBe(false);
    b.clear(name);
    expect(a.state(name).halted).toBe(false);
  });
});

describe('`gameday halt` from another machine', () => {
  let ns: TestNamespace;
  beforeAll(async () => {
    ns = await testNamespace('gdk-shared', { optIn: true });
    await ns.deployment('web', 2);
    await ns.waitReady('web', 2);
  }, 180_000);
  afterAll(async () => {
    await ns?.dispose();
  });

  /** A facilitator's machine: its own working directory, state directory and cache, the same cluster. */
  function machine(name: string) {
    const cwd = join(dir, name);
    mkdirSync(cwd, { recursive: true });
    const info = sandbox();
    writeFileSync(
      join(cwd, 'gameday.yaml'),
      `environments:\n  shared:\n    critical: false\n    journal: cluster\n    kube:\n      kubeconfig: ${info.kubeconfig}\n      context: ${info.kubeContext}\n    guards:\n      maxPercent: 100\n`,
    );
    const vars: NodeJS.ProcessEnv = { ...process.env, GAMEDAY_CACHE: join(cwd, 'cache'), NO_COLOR: '1' };
    delete vars.GAMEDAY_STATE_DIR;
    delete vars.GAMEDAY_CONFIG;
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, env: vars, encoding: 'utf8', timeout: 120_000 });
    return Object.assign(run, { run, cwd, env: vars });
  }

  it('a k8s.scale injected on one machine is reverted exactly once by `gameday halt` on another; status there shows it first', async () => {
    const laptopA = machine(`a-${randomSuffix()}`);
    const laptopB = machine(`b-${randomSuffix()}`);
    const inject = laptopA(['inject', 'k8s.scale', '--env', 'shared', '--target', `namespace=${ns.name},deployment=web`, '--duration', '10m', '--yes']);
    expect(inject.status, inject.stdout + inject.stderr).toBe(0);
    const drillId = /drill id: (\S+)/.exec(inject.stdout)![1]!;
    drillIds.push(drillId);
    const { apps } = await kube();
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: ns.name })).spec?.replicas).toBe(0);

    const status = laptopB(['status', '--env', 'shared']);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain(drillId);
    expect(status.stdout).toContain('k8s.scale');

    const halt = laptopB(['halt', '--env', 'shared', '--reason', 'from laptop B']);
    expect(halt.status, halt.stdout + halt.stderr).toBe(0);
    expect(halt.stdout).toMatch(/1 fault\(s\) reverted/);
    await waitUntil('web back to 2 replicas', async () => (await apps.readNamespacedDeployment({ name: 'web', namespace: ns.name })).spec?.replicas === 2);

    // laptop A's keeper and any later halt find it done: the journal says "reverted" once
    const again = laptopA(['halt', '--env', 'shared']);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    const events = store.read(drillId).events;
    expect(events.filter((e) => e.type === 'fault-reverted' && e.outcome === 'reverted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'fault-revert-started')).toHaveLength(1);
    expect(events.some((e) => e.type === 'drill-ended')).toBe(true);
    // the halt flag set on B blocks a new drill on A
    const refused = laptopA(['inject', 'k8s.scale', '--env', 'shared', '--target', `namespace=${ns.name},deployment=web`, '--yes']);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/halt/i);
    const cleared = laptopA(['halt', '--clear', '--env', 'shared']);
    expect(cleared.status, cleared.stderr).toBe(0);
    const report = laptopB(['report', drillId, '--format', 'json']);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toContain(drillId);
  }, 240_000);

  it('a live `inject --wait` on one machine sees `gameday halt` from another within seconds: reverted once, ended "halted", exit 3', async () => {
    const laptopA = machine(`d-${randomSuffix()}`);
    const laptopB = machine(`e-${randomSuffix()}`);
    const child = spawn(process.execPath, [BIN, 'inject', 'k8s.scale', '--env', 'shared', '--target', `namespace=${ns.name},deployment=web`, '--duration', '10m', '--wait', '--yes'], { cwd: laptopA.cwd, env: laptopA.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (out += String(d)));
    const code = new Promise<number | null>((r) => child.on('close', r));
    const drillId = await waitUntil('the drill id', async () => /drill id: (\S+)/.exec(out)?.[1] ?? (child.exitCode !== null ? 'exited' : undefined), 120_000, 100);
    expect(drillId, out).not.toBe('exited');
    drillIds.push(drillId);
    const haltAt = Date.now();
    const halt = laptopB.run(['halt', '--env', 'shared', '--reason', 'from laptop B']);
    expect(halt.status, halt.stdout + halt.stderr).toBe(0);
    expect(await code, out).toBe(3);
    console.log(`halt on B → inject --wait on A exited ${Date.now() - haltAt} ms later (including the halt's own revert)`);
    const events = store.read(drillId).events;
    expect(events.filter((e) => e.type === 'fault-reverted' && e.outcome === 'reverted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'drill-ended')).toEqual([expect.objectContaining({ reason: 'halted' })]);
    const { apps } = await kube();
    await waitUntil('web back to 2 replicas', async () => (await apps.readNamespacedDeployment({ name: 'web', namespace: ns.name })).spec?.replicas === 2);
    expect(laptopB.run(['halt', '--clear', '--env', 'shared']).status).toBe(0);
  }, 240_000);

  it('a damaged journal record: `gameday halt` names the object and does not report success', () => {
    const laptop = machine(`c-${randomSuffix()}`);
    const id = newId('damaged-halt');
    const w = store.open(id);
    w.append({ type: 'drill-started', mode: 'adhoc', env: 'shared', title: 'damaged', pid: 1, host: 'elsewhere', seed: 1 });
    w.append(intentOf('f-2'));
    const cm = maps.get(chunkName(id, 0))!;
    expect(maps.replace({ ...cm, data: { events: String(cm.data!.events).replace('marker f-2', 'marker F-2') } })).toBe('replaced');
    const halt = laptop(['halt', '--env', 'shared']);
    expect(halt.status).not.toBe(0);
    expect(halt.stdout + halt.stderr).toContain(`configmap ${TOOLKIT_NAMESPACE}/${chunkName(id, 0)}:2`);
    laptop(['halt', '--clear', '--env', 'shared']);
    // leave nothing for other halts: drop this drill's record set
    for (const c of store.chunks(id)) maps.deleteIfUnchanged(c.metadata.name, c.metadata.uid, undefined);
  }, 120_000);
});
