/**
 * The onset of k8s.pod-kill against the sandbox's real kube-apiserver (issue 15): one WATCH, from
 * the selection's own list, serves every replacement tracker of a kill, counted at the port and on the wire (every HTTP
 * request this process sends); and the journal's delete times are the server's answers, as the runner writes them.
 * Each test works in a namespace of its own; nothing here asserts how fast anything is.
 */
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore } from '../../src/adapters/journal-store.js';
import { createKubePort } from '../../src/adapters/kube/index.js';
import type { Environment } from '../../src/core/environment.js';
import { DefaultsHost } from '../../src/core/host.js';
import { seededRandom } from '../../src/core/random.js';
import { k8sPodKill } from '../../src/injectors/k8s-pod-kill/index.js';
import type { KubePort, PodDeleteResult, PodInfo } from '../../src/ports/kube.js';
import { injectFault, observeAll } from '../../src/runner/inject.js';
import { resolvePlan } from '../../src/runner/plan.js';
import { contextWith, sandboxEnvironment, testNamespace, waitUntil, type TestNamespace } from '../helpers/kube.js';

let env: Environment;
let ns: TestNamespace;
const REPLICAS = 10;

beforeAll(async () => {
  env = { ...sandboxEnvironment(), guards: { ...sandboxEnvironment().guards, maxPercent: 100, maxTargets: 100 } };
  ns = await testNamespace('gdk-onset', { optIn: true });
  await ns.deployment('many', REPLICAS);
});
afterAll(async () => {
  await ns?.dispose();
});

/** The real port, with every list, watch and delete counted (and each delete's answer kept). */
function counted(port: KubePort) {
  const calls = { list: 0, watch: 0, watchesEnded: 0, deletes: [] as { pod: string; result: PodDeleteResult }[] };
  const wrapped: KubePort = {
    ...port,
    listPods: (...a) => (calls.list++, port.listPods(...a)),
    listPodsVersioned: (...a) => (calls.list++, port.listPodsVersioned(...a)),
    watchPods: (...a) => (calls.watch++, port.watchPods(...a).finally(() => calls.watchesEnded++)),
    deletePod: async (namespace, name, o) => {
      const result = await port.deletePod(namespace, name, o);
      calls.deletes.push({ pod: `${namespace}/${name}`, result });
      return result;
    },
  };
  return { calls, port: wrapped };
}

/**
 * The HTTP requests this process sends to one namespace's pods, as they leave (Node's own
 * http.client.request.start channel, under client-node and the port): what the API server is
 * asked, counted at the wire. Other test files run in other processes and do not show up here.
 */
function wireRequests(namespace: string): { requests: string[]; stop: () => void } {
  const requests: string[] = [];
  const onStart = (msg: unknown): void => {
    const req = (msg as { request: { method: string; path: string } }).request;
    if (!req.path.startsWith(`/api/v1/namespaces/${namespace}/pods`)) return;
    const watch = /[?&]watch=(true|1)\b/.test(req.path);
    requests.push(req.method === 'GET' ? (watch ? 'WATCH' : 'LIST') : req.method);
  };
  diagnostics.subscribe('http.client.request.start', onStart);
  return { requests, stop: () => diagnostics.unsubscribe('http.client.request.start', onStart) };
}

const count = (xs: string[], x: string): number => xs.filter((y) => y === x).length;

describe('k8s.pod-kill onset', () => {
  it(`killing ${REPLICAS} pods lists and watches once: one watch serves every replacement tracker, then closes`, async () => {
    const { calls, port } = counted(await createKubePort(env));
    const ctx = contextWith({ kube: port }, env);
    const params = k8sPodKill.paramsSchema.parse({ mode: 'all', gracePeriod: 0 });
    const sel = await k8sPodKill.select(ctx, { namespace: ns.name, selector: 'app=many' }, params, seededRandom(15));
    expect(sel.targets).toHaveLength(REPLICAS);
    const ref = (t: { id: string }) => ({ faultId: `f1-${t.id}`, drillId: 'it-onset', attached: true });
    const prepared = await Promise.all(sel.targets.map(async (t) => ({ t, undo: await k8sPodKill.prepare(ctx, t, params, ref(t)) })));

    const wire = wireRequests(ns.name);
    const injected = await Promise.all(prepared.map((p) => k8sPodKill.inject(ctx, p.t, params, p.undo, ref(p.t))));
    // every tracker is alive and waiting for its replacement: one watch for all ten, at the port…
    expect(calls.watch).toBe(1);
    expect(calls.list).toBe(1); // select's own list, before the kill: none per target
    expect(calls.deletes).toHaveLength(REPLICAS);
    // …and on the wire: one WATCH (from the selection's list: no list of its own), ten DELETEs, nothing else
    expect(count(wire.requests, 'LIST')).toBe(0);
    expect(count(wire.requests, 'WATCH')).toBe(1);
    expect(count(wire.requests, 'DELETE')).toBe(REPLICAS);
    expect(wire.requests).toHaveLength(REPLICAS + 1);

    const reports: Record<string, unknown>[] = [];
    await Promise.all(prepared.map((p, i) => k8sPodKill.observe!(ctx, p.undo, injected[i], async (d) => void reports.push(d), ref(p.t))));
    expect(reports).toHaveLength(REPLICAS);
    for (const r of reports) expect(r).toMatchObject({ precision: 'watch', replacement: expect.stringContaining(`${ns.name}/many-`) });
    expect(new Set(reports.map((r) => r.replacement)).size).toBe(REPLICAS); // ten distinct replacements from one watch
    expect(calls.watch).toBe(1);
    expect(count(wire.requests, 'WATCH')).toBe(1); // observing took no watch of its own
    // the last tracker gone, the shared watch ends (watchPods returns when its signal aborts)
    await waitUntil('the shared watch closed', async () => calls.watchesEnded === 1, 15_000);
    wire.stop();
    await ns.waitReady('many', REPLICAS);
  });

  it('the journal records each delete at the time the server answered it, paced deletes included', async () => {
    const { calls, port } = counted(await createKubePort(env, { rateLimit: { qps: 8, burst: 1 } }));
    const state = mkdtempSync(join(tmpdir(), 'gd-onset-'));
    try {
      // an independent watch on its own port records the order the server applied the deletes in
      const seen: string[] = [];
      const ac = new AbortController();
      let synced = false;
      const independent = (await createKubePort(env)).watchPods(ns.name, 'app=many', (type, p: PodInfo) => {
        if ((type === 'DELETED' || p.deletingAt !== undefined) && !seen.includes(p.name)) seen.push(p.name);
      }, ac.signal, () => (synced = true));
      await waitUntil('independent watch synced', async () => synced, 10_000);

      const plan = await resolvePlan({ env, faults: [{ kind: 'k8s.pod-kill', target: { namespace: ns.name, selector: 'app=many' }, params: { count: 4, gracePeriod: 0 } }], seed: 7, halt: { halted: false } }, { ports: { kube: port }, signal: ac.signal });
      const journal = new JournalStore(state).open('it-onset-journal');
      const deps = { journal, ports: { kube: port }, env, host: new DefaultsHost(), signal: new AbortController().signal, attached: true };
      const done = await injectFault(plan.faults[0]!, deps);
      await observeAll(done, deps);
      await waitUntil('the independent watch saw the 4 deletes', async () => seen.length >= 4, 10_000);
      ac.abort();
      await independent;

      const events = readFileSync(journal.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; detail?: Record<string, unknown> });
      const injected = events.filter((e) => e.type === 'fault-injected').map((e) => e.detail!);
      expect(injected).toHaveLength(4);
      // each journaled time is the port's answer for that pod: sent after the limiter, acknowledged by the server
      for (const d of injected) {
        const answer = calls.deletes.find((c) => c.pod === d.pod)?.result;
        if (answer?.outcome !== 'deleted') throw new Error(`no delete answer for ${String(d.pod)}`);
        expect(d.deletedAtMs).toBe(answer.acknowledgedAt);
        expect(d.sentAtMs).toBe(answer.sentAt);
        expect(d.deletedAt).toBe(new Date(answer.acknowledgedAt).toISOString());
        expect(answer.sentAt).toBeLessThanOrEqual(answer.acknowledgedAt);
      }
      // paced at 8/s, one at a time: the journal orders the deletes as the server applied them,
      // and no two share a time (before, every delete was stamped before the limiter held it)
      const byJournal = [...injected].sort((a, b) => Number(a.deletedAtMs) - Number(b.deletedAtMs)).map((d) => String(d.pod).split('/')[1]);
      expect(byJournal).toEqual(seen.slice(0, 4));
      const sent = injected.map((d) => Number(d.sentAtMs)).sort((a, b) => a - b);
      for (let i = 1; i < sent.length; i++) expect(sent[i]!).toBeGreaterThan(sent[i - 1]!);
      console.log(`journaled deletes at +${injected.map((d) => Number(d.deletedAtMs)).sort((a, b) => a - b).map((t, _i, a) => t - a[0]!).join(' ms, +')} ms`);
    } finally {
      rmSync(state, { recursive: true, force: true });
      await ns.waitReady('many', REPLICAS);
    }
  });
});
