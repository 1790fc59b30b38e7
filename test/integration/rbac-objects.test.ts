/**
 * The declared `kubeAccess` of k8s.scale, k8s.service-selector and k8s.node-drain is enough, and
 * no more: the manifests renderRbac makes from it are applied, a token is minted for the
 * ServiceAccount, and each fault's whole cycle (select → prepare → inject → verify → revert →
 * verify) runs through a KubePort holding only that token, against the sandbox's real RBAC.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubePort } from '../../src/adapters/kube/index.js';
import { renderRbac } from '../../src/core/kube-access.js';
import type { AnyInjector, FaultRef } from '../../src/injectors/contract.js';
import { k8sNodeDrain } from '../../src/injectors/k8s-node-drain/index.js';
import { k8sScale } from '../../src/injectors/k8s-scale/index.js';
import { k8sServiceSelector } from '../../src/injectors/k8s-service-selector/index.js';
import type { KubePort } from '../../src/ports/kube.js';
import { contextWith, testNamespace, type TestNamespace } from '../helpers/kube.js';
import { pinnedDeployment, service, testNode } from '../helpers/sandbox/k8s-objects.js';
import { kube, randomSuffix, sandbox, sandboxEnvironment } from '../helpers/sandbox/sandbox.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('k8s object faults run as a ServiceAccount holding exactly their declared access', () => {
  let ns: TestNamespace;
  let node: { name: string; dispose(): Promise<void> };
  let docs: Obj[] = [];
  let dir = '';
  let asSa: KubePort;
  const targets: [AnyInjector, Record<string, unknown>, Record<string, unknown>][] = [];

  beforeAll(async () => {
    ns = await testNamespace('gdk-rbac-objects', { optIn: true });
    node = await testNode('gdk-rbac-drain');
    await ns.deployment('api', 2);
    await ns.deployment('other', 1);
    await service(ns.name, 'api', { app: 'api' });
    await pinnedDeployment(ns, 'pinned', 1, node.name);
    targets.push([k8sScale, { namespace: ns.name, deployment: 'api' }, {}], [k8sServiceSelector, { namespace: ns.name, service: 'api' }, {}], [k8sNodeDrain, { node: node.name }, { gracePeriod: 0, pdbWait: '1s' }]);
    const sa = `gd-rbac-obj-${randomSuffix()}`;
    const access = targets.flatMap(([inj, t, p]) => inj.kubeAccess!(inj.targetSchema.parse(t), inj.paramsSchema.parse(p)));
    docs = renderRbac(access, { serviceAccount: sa }) as unknown as Obj[];
    const { k8s, kc, core } = await kube();
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    for (const d of docs) await objects.create(d).catch((e: { code?: number }) => void (d.kind === 'Namespace' && e.code === 409 ? undefined : Promise.reject(e)));
    const token = await core.createNamespacedServiceAccountToken({ name: sa, namespace: 'gameday-system', body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    const admin = readFileSync(sandbox().kubeconfig, 'utf8');
    dir = mkdtempSync(join(tmpdir(), 'gd-rbac-obj-'));
    const file = join(dir, 'kubeconfig');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{ name: sandbox, cluster: { server: ${/server: (\S+)/.exec(admin)![1]}, certificate-authority-data: ${/certificate-authority-data: (\S+)/.exec(admin)![1]} } }]`,
        `users: [{ name: ${sa}, user: { token: ${token.status!.token} } }]`,
        `contexts: [{ name: ${sa}, context: { cluster: sandbox, user: ${sa} } }]`,
        `current-context: ${sa}`,
        '',
      ].join('\n'),
    );
    asSa = await createKubePort({ ...sandboxEnvironment(), name: 'rbac-objects', kube: { kubeconfig: file, context: sa } });
  });

  afterAll(async () => {
    const { k8s, kc } = await kube();
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    for (const d of docs.filter((x) => x.kind !== 'Namespace').reverse()) await objects.delete(d).catch(() => undefined);
    await ns?.dispose();
    await node?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([0, 1, 2])('fault %i: the whole cycle succeeds with the declared access alone', async (i) => {
    const [inj, target, params] = targets[i]!;
    const ctx = contextWith({ kube: asSa }, sandboxEnvironment());
    const spec = inj.targetSchema.parse(target);
    const p = inj.paramsSchema.parse(params);
    const sel = await inj.select(ctx, spec, p, () => 0.5);
    const ref: FaultRef = { faultId: `rbac-${i}`, drillId: 'rbac-objects', attached: true, deadline: Date.now() + 60_000 };
    const undo = json(await inj.prepare(ctx, sel.targets[0]!, p, ref));
    await inj.inject(ctx, sel.targets[0]!, p, undo, ref);
    expect((await inj.verify(ctx, undo, 'injected', ref)).ok).toBe(true);
    expect((await inj.revert(ctx, undo, ref)).outcome).toBe('reverted');
    expect((await inj.verify(ctx, undo, 'reverted', ref)).ok).toBe(true);
  });

  it('and nothing more: a Deployment or Service the faults do not name is forbidden, with one line naming the call', async () => {
    await expect(asSa.patchWorkload('deployment', ns.name, 'other', { replicas: 0 })).rejects.toThrow(new RegExp(`^patch deployment ${ns.name}/other: HTTP 403 `));
    await expect(asSa.readService(ns.name, 'nope')).rejects.toThrow(/HTTP 403/);
    await expect(asSa.readWorkload('deployment', 'default', 'api')).rejects.toThrow(/HTTP 403/);
  });
});
