/**
 * The KubePort adapter against the sandbox's real API server: the calls the injectors rely on,
 * their "not found" conventions, the list+watch, and one-line errors.
 */
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubePort, toPodInfo } from '../../src/adapters/kube/index.js';
import type { KubePort, PodInfo } from '../../src/ports/kube.js';
import { sandboxEnvironment, sandboxPort, testNamespace, waitUntil, type TestNamespace } from '../helpers/kube.js';
import { kube as typedKube, sandbox, withRealNodeNetwork } from '../helpers/sandbox/sandbox.js';

let kube: KubePort;
let ns: TestNamespace;
beforeAll(async () => {
  kube = await sandboxPort();
  ns = await testNamespace('gdk-port', { optIn: true });
});
afterAll(async () => {
  await ns?.dispose();
});

describe('KubePort on the sandbox', () => {
  it('namespaces: labels, or undefined when missing', async () => {
    expect(await kube.namespaceLabels(ns.name)).toMatchObject({ 'gameday.dev/enabled': 'true' });
    expect(await kube.namespaceLabels('gd-missing-namespace')).toBeUndefined();
  });

  it('list+watch: the current pods, then every change; onSynced in between', async () => {
    await ns.pod('w1', { app: 'w' });
    const events: string[] = [];
    let syncedAfter = -1;
    const ac = new AbortController();
    const done = kube.watchPods(ns.name, 'app=w', (type, p: PodInfo) => events.push(`${type} ${p.name}${p.deletingAt ? ' terminating' : ''}`), ac.signal, () => (syncedAfter = events.length));
    await waitUntil('synced', async () => syncedAfter >= 0, 10_000);
    expect(events.slice(0, syncedAfter)).toEqual(['ADDED w1']);
    await ns.pod('w2', { app: 'w' });
    expect(await kube.deletePod(ns.name, 'w1', { gracePeriodSeconds: 0 })).toMatchObject({ outcome: 'deleted' });
    await waitUntil(`w2 added and w1 deleted (saw: ${events.join(', ')})`, async () => events.includes('ADDED w2') && events.some((e) => e.startsWith('DELETED w1')), 30_000);
    ac.abort();
    await done; // resolves on abort
    expect(events.indexOf('ADDED w2')).toBeGreaterThan(syncedAfter - 1);
  });

  it("list+watch from a list of ours: nothing listed again, a pod created after the list is seen; a version too old to watch from falls back to a list", async () => {
    await ns.pod('v1', { app: 'v' });
    const listing = await kube.listPodsVersioned(ns.name, 'app=v');
    expect(listing.pods.map((p) => p.name)).toEqual(['v1']);
    expect(listing.resourceVersion).toMatch(/^\d+$/);
    await ns.pod('v2', { app: 'v' }); // after the list, before the watch
    const lists: string[] = [];
    const onStart = (msg: unknown): void => {
      const path = (msg as { request: { method: string; path: string } }).request.path;
      if (path.startsWith(`/api/v1/namespaces/${ns.name}/pods?`) && !/[?&]watch=(true|1)\b/.test(path)) lists.push(path);
    };
    diagnostics.subscribe('http.client.request.start', onStart);
    try {
      for (const from of [listing, { pods: [], resourceVersion: '1' }]) {
        const events: string[] = [];
        let syncedAfter = -1;
        const ac = new AbortController();
        const done = kube.watchPods(ns.name, 'app=v', (type, p: PodInfo) => events.push(`${type} ${p.name}`), ac.signal, () => (syncedAfter = events.length), from);
        await waitUntil(`v1 and v2 seen (saw: ${events.join(', ')})`, async () => events.includes('ADDED v1') && events.includes('ADDED v2'), 30_000);
        ac.abort();
        await done;
        if (from === listing) {
          // the listing stood for the initial list; v2 came on the watch, replayed from its version
          expect(events.slice(0, syncedAfter)).toEqual(['ADDED v1']);
          expect(events.indexOf('ADDED v2')).toBeGreaterThanOrEqual(syncedAfter);
          expect(lists).toEqual([]);
        } else {
          // version 1 is long compacted away: the server says 410 and the pods are listed
          expect(syncedAfter).toBe(0);
          expect(lists).toHaveLength(1);
        }
      }
    } finally {
      diagnostics.unsubscribe('http.client.request.start', onStart);
    }
  });

  it('listPods reads plain JSON page by page: the same pods and facts as the typed client, across pages; a bad selector is one HTTP 400 line', async () => {
    const names = ['pg1', 'pg2', 'pg3', 'pg4', 'pg5'];
    for (const n of names) await ns.pod(n, { app: 'pg' });
    const paged = await createKubePort(sandboxEnvironment(), { listPageSize: 2 }); // 3 pages
    const listed = await paged.listPods(ns.name, 'app=pg');
    expect(listed.map((p) => p.name).sort()).toEqual(names);
    // what the typed client (client-node's deserializer) makes of the same pods
    const { core } = await typedKube();
    const typed = (await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=pg' })).items.map(toPodInfo);
    const byName = (l: PodInfo[]) => Object.fromEntries(l.map((p) => [p.name, p]));
    expect(byName(listed)).toEqual(byName(typed));
    expect(listed[0]).toMatchObject({ namespace: ns.name, phase: 'Running', labels: { app: 'pg' } });
    expect(listed[0]!.createdAt).toBeGreaterThan(Date.parse('2020-01-01'));
    expect(listed[0]!.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await paged.listPods(ns.name, 'app=none')).toEqual([]);
    const bad = await kube.listPods(ns.name, 'app in (').then(() => undefined, (e: unknown) => e as Error & { code?: number });
    expect(bad?.code).toBe(400);
    expect(bad?.message).toMatch(/^list pods in gdk-port-\S+: HTTP 400 \S/);
    expect(bad?.message).not.toMatch(/\n/);
  });

  it('deletePod: not-found for a missing pod and for a uid that no longer owns the name', async () => {
    expect(await kube.deletePod(ns.name, 'no-such-pod')).toEqual({ outcome: 'not-found' });
    await ns.pod('u1', { app: 'u' });
    expect(await kube.deletePod(ns.name, 'u1', { uid: '00000000-0000-0000-0000-000000000000' })).toEqual({ outcome: 'not-found' });
    expect((await kube.listPods(ns.name, 'app=u')).map((p) => p.name)).toEqual(['u1']); // untouched
  });

  it('deletePod: the answer carries when it was sent and acknowledged, and the server\'s deletionTimestamp of a graceful delete', async () => {
    await ns.pod('g1', { app: 'g' });
    const before = Date.now();
    const r = await kube.deletePod(ns.name, 'g1', { gracePeriodSeconds: 30 });
    const after = Date.now();
    if (r.outcome !== 'deleted') throw new Error(`expected deleted, got ${r.outcome}`);
    expect(before).toBeLessThanOrEqual(r.sentAt);
    expect(r.sentAt).toBeLessThanOrEqual(r.acknowledgedAt);
    expect(r.acknowledgedAt).toBeLessThanOrEqual(after);
    // the server's own stamp: its now + the grace period, at one-second resolution
    expect(r.deletionTimestamp! % 1000).toBe(0);
    expect(Math.abs(r.deletionTimestamp! - 30_000 - r.acknowledgedAt)).toBeLessThan(2_000);
    await kube.deletePod(ns.name, 'g1', { gracePeriodSeconds: 0 });
  });

  it('config maps: create, merge-patch data, read, delete by label; not-found conventions', async () => {
    const labels = { 'gameday.dev/drill': 'port-test' };
    await kube.createConfigMap({ metadata: { name: 'cm1', namespace: ns.name, labels }, data: { a: '1', b: '2' } });
    expect(await kube.patchConfigMapData(ns.name, 'cm1', { b: '3' })).toBe('patched');
    expect((await kube.getConfigMap(ns.name, 'cm1'))?.data).toEqual({ a: '1', b: '3' });
    expect(await kube.deleteConfigMaps(ns.name, 'gameday.dev/drill=port-test')).toBe(1);
    expect(await kube.getConfigMap(ns.name, 'cm1')).toBeUndefined();
    expect(await kube.patchConfigMapData(ns.name, 'cm1', { b: '4' })).toBe('not-found');
    expect(await kube.deleteConfigMaps(ns.name, 'gameday.dev/drill=port-test')).toBe(0);
  });

  // under the real-node lock: other files stop, drain or cut off the real node meanwhile (and give
  // it back NotReady for a few seconds after their revert)
  it('nodes and the API server endpoints the agents must keep reaching', () => withRealNodeNetwork(async () => {
    const nodes = await waitUntil('every node Ready and schedulable', async () => {
      const all = await kube.listNodes();
      return all.length > 0 && all.every((n) => n.ready && !n.unschedulable) ? all : undefined;
    }, 120_000, 1000);
    for (const n of nodes) expect(n).toMatchObject({ ready: true, unschedulable: false });
    const u = new URL(sandbox().apiServer);
    expect(await kube.apiServerEndpoints()).toContainEqual({ ip: u.hostname, port: Number(u.port) });
  }), 660_000);

  it('an unreachable API server is one UNREACHABLE line, not a stack of HTTP noise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gd-kc-'));
    try {
      const kc = readFileSync(sandbox().kubeconfig, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/g, 'server: https://127.0.0.1:1');
      writeFileSync(join(dir, 'kubeconfig'), kc);
      const env = sandboxEnvironment();
      const dead = await createKubePort({ ...env, kube: { ...env.kube, kubeconfig: join(dir, 'kubeconfig') } }, { rateLimit: { maxRetries: 0 } });
      const err = await dead.listPods('shop').then(
        () => undefined,
        (e: unknown) => e as { code?: string; message: string },
      );
      expect(err?.code).toBe('UNREACHABLE');
      expect(err?.message.split('\n')).toHaveLength(1);
      expect(err?.message).toContain('127.0.0.1:1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
