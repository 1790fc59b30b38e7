/**
 * `gameday rbac` against the sandbox's real RBAC authorizer: the manifests it prints for a
 * scenario are applied, a token is minted for the ServiceAccount, and the drills run *as that
 * ServiceAccount* — proof that the declared access is enough. The same token is refused
 * everything else (other namespaces, deleting workloads, creating namespaces), and a drill on a
 * namespace the role does not cover fails with a one-line "forbidden" naming the resource.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore } from '../../src/adapters/journal-store.js';
import { createPinnedCheckout, type PinnedCheckout } from '../helpers/sandbox/pinned-checkout.js';
import { kube, sandbox } from '../helpers/sandbox/sandbox.js';

const REPO = resolve(import.meta.dirname, '../..');
const BIN = join(REPO, 'bin/gameday.js');

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

describe('gameday rbac: drills run as the ServiceAccount it describes, and it may do nothing else', () => {
  let fixture: PinnedCheckout;
  let dir = '';
  let sa = '';
  let envName = '';
  let docs: Obj[] = [];
  let saKubeconfig = '';
  const gd = (args: string[], cwd = dir) =>
    spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', GAMEDAY_STATE_DIR: join(dir, 'state') }, encoding: 'utf8', timeout: 120_000 });

  beforeAll(async () => {
    fixture = await createPinnedCheckout('gd-rbac', 2);
    dir = mkdtempSync(join(tmpdir(), 'gd-rbac-'));
    sa = `gd-rbac-${fixture.suffix}`;
    envName = `rbac-${fixture.suffix}`;
    // the library's checkout drill, pointed at the private copy of checkout
    const text = readFileSync(join(REPO, 'scenarios/checkout-pod-kill.yaml'), 'utf8')
      .replaceAll('namespace: shop', `namespace: ${fixture.namespace}`)
      .replace('runbook: runbooks/checkout-pods.md#checkout-pods-not-ready\n', '');
    writeFileSync(join(dir, 'checkout-pod-kill.yaml'), text);

    const printed = gd(['rbac', join(dir, 'checkout-pod-kill.yaml'), 'node-dns-blackhole', '--service-account', sa], REPO);
    expect(printed.status, printed.stderr).toBe(0);
    docs = parseAllDocuments(printed.stdout).map((d) => d.toJS() as Obj).filter(Boolean);

    // apply as the admin (the sandbox already has gameday-system)
    const { k8s, kc, core } = await kube();
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    for (const d of docs) {
      await objects.create(d).catch((e: { code?: number }) => {
        if (!(d.kind === 'Namespace' && e.code === 409)) throw e;
      });
    }
    const token = await core.createNamespacedServiceAccountToken({ name: sa, namespace: 'gameday-system', body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    const admin = readFileSync(sandbox().kubeconfig, 'utf8');
    const server = /server: (\S+)/.exec(admin)![1]!;
    const ca = /certificate-authority-data: (\S+)/.exec(admin)![1]!;
    saKubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      saKubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: sandbox, cluster: { server: ' + server + ', certificate-authority-data: ' + ca + ' } }]',
        `users: [{ name: ${sa}, user: { token: ${token.status!.token} } }]`,
        `contexts: [{ name: ${sa}, context: { cluster: sandbox, user: ${sa} } }]`,
        `current-context: ${sa}`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'gameday.yaml'), `environments:\n  ${envName}:\n    critical: false\n    kube: { kubeconfig: ${saKubeconfig}, context: ${sa} }\n`);
  });

  afterAll(async () => {
    const { k8s, kc } = await kube();
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    for (const d of docs.filter((x) => x.kind !== 'Namespace').reverse()) await objects.delete(d).catch(() => undefined);
    await fixture?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the manifests: a ServiceAccount, a ClusterRole for cluster-scoped reads only, Roles only where the scenarios act', () => {
    const kinds = docs.map((d) => `${d.kind} ${d.metadata.namespace ? `${d.metadata.namespace}/` : ''}${d.metadata.name}`);
    expect(kinds).toEqual([
      'Namespace gameday-system',
      `ServiceAccount gameday-system/${sa}`,
      `ClusterRole ${sa}`,
      `ClusterRoleBinding ${sa}`,
      `Role default/${sa}`,
      `RoleBinding default/${sa}`,
      `Role gameday-system/${sa}`,
      `RoleBinding gameday-system/${sa}`,
      `Role ${fixture.namespace}/${sa}`,
      `RoleBinding ${fixture.namespace}/${sa}`,
    ]);
    const clusterRole = docs.find((d) => d.kind === 'ClusterRole') as Obj & { rules: { resources: string[]; verbs: string[]; resourceNames?: string[] }[] };
    expect(clusterRole.rules).toEqual([
      { apiGroups: [''], resources: ['namespaces'], resourceNames: [fixture.namespace, 'gameday-system'].sort(), verbs: ['get'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
    ]);
  });

  it('the ServiceAccount is refused everything the drills do not need (real authorizer)', async () => {
    const { k8s } = await kube();
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(saKubeconfig);
    const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
    const can = async (verb: string, resource: string, namespace?: string, group = '', name?: string) =>
      (await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb, resource, group, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) } } } })).status!.allowed;
    // what the drills need
    expect(await can('delete', 'pods', fixture.namespace)).toBe(true);
    expect(await can('create', 'daemonsets', 'gameday-system', 'apps')).toBe(true);
    expect(await can('list', 'nodes')).toBe(true);
    // and nothing else
    expect(await can('delete', 'pods', 'shop')).toBe(false);
    expect(await can('delete', 'pods', 'kube-system')).toBe(false);
    expect(await can('delete', 'deployments', fixture.namespace, 'apps')).toBe(false);
    expect(await can('create', 'daemonsets', fixture.namespace, 'apps')).toBe(false);
    expect(await can('create', 'namespaces')).toBe(false);
    expect(await can('get', 'namespaces', undefined, '', 'kube-system')).toBe(false);
    expect(await can('get', 'secrets', 'gameday-system')).toBe(false);
    expect(await can('patch', 'nodes')).toBe(false);
  });

  it('`gameday run checkout-pod-kill --yes` as the ServiceAccount: lease, preflight probe, kill, recovery evidence — passes', async () => {
    await fixture.ready();
    const r = gd(['run', join(dir, 'checkout-pod-kill.yaml'), '--env', envName, '--yes', '--report', join(dir, 'report.json')]);
    expect(r.stderr).not.toMatch(/forbidden/i);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ passed: true, endReason: 'completed', steadyAtEnd: true });
    const [id] = new JournalStore(join(dir, 'state')).list();
    const { events } = new JournalStore(join(dir, 'state')).read(id!);
    expect(events.find((e) => e.type === 'preflight')).toMatchObject({ ok: true });
    expect(events.some((e) => e.type === 'preflight' && e.checks.some((c) => c.detail?.includes(`cluster lease gameday-system/gameday-env-${envName}`)))).toBe(true);
    // recovery evidence from a live watch of the pods (a role without `watch` would degrade it, or fail it)
    const observed = events.find((e) => e.type === 'fault-observed');
    expect(observed?.type === 'fault-observed' && observed.detail).toMatchObject({ precision: 'watch' });
    await fixture.ready();
  });

  it('`gameday inject node.iptables` and `gameday recover` as the ServiceAccount: the agent lands on every node and is removed', async () => {
    const inject = gd(['inject', 'node.iptables', '--env', envName, '--target', 'nodes=all', '--param', 'preset=dns', '--param', 'action=drop', '--duration', '2m', '--acknowledge-node-impact', '--yes']);
    expect(inject.status, inject.stderr).toBe(0);
    expect(inject.stdout).toMatch(/agent Ready on \d+\/\d+ node\(s\)/);
    const id = /drill id: (\S+)/.exec(inject.stdout)![1]!;
    const recover = gd(['recover', id]);
    expect(recover.status, recover.stderr).toBe(0);
    expect(recover.stdout).toMatch(/no agent DaemonSet or pod left/);
  });

  it('a drill outside the role (namespace shop) fails with one line naming the forbidden call, and nothing is touched', async () => {
    const { core } = await kube();
    const before = (await core.listNamespacedPod({ namespace: 'shop' })).items.map((p) => p.metadata!.uid).sort();
    const r = gd(['inject', 'k8s.pod-kill', '--env', envName, '--target', 'namespace=shop,selector=app=checkout', '--yes']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*namespace shop.*forbidden|^error: .*forbidden.*shop/im);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await core.listNamespacedPod({ namespace: 'shop' })).items.map((p) => p.metadata!.uid).sort()).toEqual(before);
  });
});
