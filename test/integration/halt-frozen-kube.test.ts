/**
 * Issue 17 on the Kubernetes side: a real etcd + kube-apiserver of this file's own (the sandbox's
 * binaries and flags, in a temporary directory; the shared sandbox is not touched), a node.iptables
 * fault whose agent DaemonSet and ConfigMap exist in gameday-system, journaled as an inject that
 * died would have left it. The API server is frozen with SIGSTOP (it accepts connections and
 * says nothing), then:
 *   1. `gameday halt` + SIGTERM 3 s later: out within 2 s, exit 130, the fault named;
 *   2. `gameday halt`: ends on its own within its deadline, exit 3, naming the fault and the
 *      Kubernetes call that got no answer;
 *   3. SIGCONT, `gameday halt`: exit 0, the DaemonSet and the ConfigMap are gone.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreV1Api, AppsV1Api } from '@kubernetes/client-node';
import { cliHarness, exited } from '../helpers/cli-process.js';
import { componentSpecs, pkiFiles, HOST } from '../../src/sandbox/components.js';
import { ensurePki } from '../../src/sandbox/pki.js';
import { renderKubeconfig, SANDBOX_CONTEXT } from '../../src/sandbox/kubeconfig.js';
import { sandboxPaths, binary } from '../../src/sandbox/paths.js';
import { freePorts, spawnComponent, stopProcess, tail, waitHealthy, type ProcessRecord } from '../../src/sandbox/supervisor.js';
import { TOOLKIT_NAMESPACE } from '../../src/core/environment.js';

const BIN = resolve('bin/gameday.js');
const DRILL = '20260101-000000-node-iptables-frozen';
const NAME = 'gameday-iptables-frozen';
const SELECTOR = `gameday.dev/drill=${DRILL}`;
let dir: string;
let envVars: NodeJS.ProcessEnv;
let etcd: ProcessRecord | undefined;
let apiserver: ProcessRecord | undefined;
let frozen = false;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  if (!existsSync(resolve('dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const base = sandboxPaths();
  for (const b of ['etcd', 'kube-apiserver']) if (!existsSync(binary(base, b))) throw new Error(`${binary(base, b)} is missing: run \`bash src/sandbox/provision.sh\` (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'gd-frozen-kube-'));
  const state = join(dir, 'apiserver');
  // the sandbox's own component definitions, with every piece of state in this test's directory
  const p = { ...base, state, stateFile: join(state, 'state.json'), logs: join(state, 'logs'), pki: join(state, 'pki'), etcdData: join(state, 'etcd-data'), kubeconfig: join(state, 'kubeconfig'), kwokConfig: join(state, 'kwok.yaml') };
  mkdirSync(p.logs, { recursive: true });
  const [etcdClient, etcdPeer, apiServer] = await freePorts(3);
  const specs = componentSpecs(p, { etcdClient: etcdClient!, etcdPeer: etcdPeer!, apiServer: apiServer!, controllerManager: 0, scheduler: 0, moto: 0 });
  const pki = await ensurePki(p.pki);
  writeFileSync(p.kubeconfig, renderKubeconfig({ server: `https://${HOST}:${apiServer}`, caPem: readFileSync(pki.caCert, 'utf8'), clientCertPem: readFileSync(pki.adminCert, 'utf8'), clientKeyPem: readFileSync(pki.adminKey, 'utf8') }), { mode: 0o600 });
  const f = pkiFiles(p.pki);
  const tls = { ca: readFileSync(f.caCert), cert: readFileSync(f.adminCert), key: readFileSync(f.adminKey) };
  etcd = spawnComponent(specs.etcd, p.logs);
  const e = await waitHealthy(specs.etcd, etcd, 60_000, tls);
  if (!e.healthy) throw new Error(`etcd did not start: ${e.detail}\n${tail(etcd.log)}`);
  apiserver = spawnComponent(specs['kube-apiserver'], p.logs);
  const a = await waitHealthy(specs['kube-apiserver'], apiserver, 120_000, tls);
  if (!a.healthy) throw new Error(`kube-apiserver did not start: ${a.detail}\n${tail(apiserver.log)}`);

  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(p.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  const labels = { 'gameday.dev/drill': DRILL, 'app.kubernetes.io/managed-by': 'gameday' };
  await core.createNamespace({ body: { metadata: { name: TOOLKIT_NAMESPACE } } });
  await core.createNamespacedConfigMap({ namespace: TOOLKIT_NAMESPACE, body: { metadata: { name: NAME, labels }, data: { 'rules.txt': '# test' } } });
  await apps.createNamespacedDaemonSet({
    namespace: TOOLKIT_NAMESPACE,
    body: {
      metadata: { name: NAME, labels },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'agent', image: 'busybox:1.36', command: ['sleep', '3600'] }] } } },
    },
  });

  // the journal an inject that died after creating the agent would have left behind
  writeFileSync(join(dir, 'gameday.yaml'), `environments:\n  lab:\n    critical: false\n    kube:\n      kubeconfig: ${p.kubeconfig}\n      context: ${SANDBOX_CONTEXT}\n`);
  mkdirSync(join(dir, '.gameday', 'drills'), { recursive: true });
  const at = new Date().toISOString();
  const undo = { namespace: TOOLKIT_NAMESPACE, name: NAME, selector: SELECTOR, nodes: ['node-1'], chain: 'GDFROZEN', summary: 'egress drop', rules: [], rulesFile: '', image: 'busybox:1.36', leaseTtlMs: 120_000, readyTimeoutMs: 120_000 };
  const events = [
    { type: 'drill-started', mode: 'adhoc', env: 'lab', title: 'ad-hoc node.iptables', pid: 2 ** 22 + 99, host: hostname() },
    { type: 'fault-intent', record: { faultId: 'f1-nodes', kind: 'node.iptables', target: 'nodes node-1', reversible: true, deadline: Date.now() + 600_000, undo } },
    { type: 'fault-injected', faultId: 'f1-nodes' },
  ];
  writeFileSync(join(dir, '.gameday', 'drills', `${DRILL}.jsonl`), events.map((ev, i) => `${JSON.stringify({ v: 1, drillId: DRILL, at, seq: i + 1, ...ev })}\n`).join(''));
  envVars = { ...process.env, GAMEDAY_CACHE: join(dir, 'cache'), NO_COLOR: '1' };
}, 300_000);

afterAll(async () => {
  if (frozen && apiserver) process.kill(apiserver.pid, 'SIGCONT'); // never leave a stopped process behind
  if (apiserver) await stopProcess(apiserver, 3000);
  if (etcd) await stopProcess(etcd, 3000);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = cliHarness(BIN, () => dir, () => envVars);
async function gameday(...args: string[]): Promise<{ status: number | null; out: string; ms: number }> {
  const t0 = Date.now();
  const c = cli.start(...args);
  const killer = setTimeout(() => c.kill('SIGKILL'), 200_000);
  const status = await exited(c);
  clearTimeout(killer);
  return { status, out: cli.output(), ms: Date.now() - t0 };
}
const journalText = () => readFileSync(join(dir, '.gameday', 'drills', `${DRILL}.jsonl`), 'utf8');

describe('the bounded Kubernetes port against a live API server', () => {
  it('reads, merge-patches (the per-call middleware and the patch content type together) and lists as before', async () => {
    const { createKubePort } = await import('../../src/adapters/kube/index.js');
    const { environmentSpec } = await import('../../src/core/environment.js');
    const env = { ...environmentSpec.parse({ critical: false, kube: { kubeconfig: join(dir, 'apiserver', 'kubeconfig'), context: SANDBOX_CONTEXT } }), name: 'lab' };
    const kube = await createKubePort(env);
    expect(await kube.patchConfigMapData(TOOLKIT_NAMESPACE, NAME, { 'lease': 'renewed' })).toBe('patched');
    expect((await kube.getConfigMap(TOOLKIT_NAMESPACE, NAME))?.data).toMatchObject({ 'rules.txt': '# test', lease: 'renewed' });
    expect(await kube.patchConfigMapData(TOOLKIT_NAMESPACE, 'no-such-map', { a: 'b' })).toBe('not-found');
    expect((await kube.listDaemonSets(TOOLKIT_NAMESPACE, SELECTOR)).map((d) => d.metadata?.name)).toEqual([NAME]);
    expect(await kube.namespaceLabels('no-such-namespace')).toBeUndefined();
  });
});

describe('gameday halt while the Kubernetes API server is frozen (SIGSTOP)', () => {
  it('SIGTERM ends it within 2 s; on its own it ends within its deadline; after the thaw one more halt reverts', async () => {
    process.kill(apiserver!.pid, 'SIGSTOP');
    frozen = true;

    const c = cli.start('halt');
    await cli.until(() => journalText().includes('"fault-revert-started"'), 'halt to start reverting', 20_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const tTerm = Date.now();
    c.kill('SIGTERM');
    const termStatus = await exited(c);
    const termMs = Date.now() - tTerm;
    console.log(`[figure] halt, Kubernetes API frozen: SIGTERM → exit in ${termMs} ms (status ${termStatus})`);
    expect(termStatus, cli.output()).toBe(130);
    expect(termMs).toBeLessThan(2_000);
    expect(cli.output()).toMatch(/f1-nodes \(nodes node-1\): interrupted by SIGTERM/);

    const halt = await gameday('halt');
    console.log(`[figure] halt, Kubernetes API frozen: ended by itself in ${halt.ms} ms, exit ${halt.status}`);
    expect(halt.status, halt.out).toBe(3);
    expect(halt.ms).toBeLessThan(150_000); // the per-call bound (≈ 31 s) ends it well inside the 4 min revert deadline (generous: a loaded machine)
    expect(halt.out).toMatch(/f1-nodes \(nodes node-1\): revert failed: Kubernetes API https:\/\/127\.0\.0\.1:\d+ did not answer list daemonsets in gameday-system in \d+ s \(3 attempts/);

    process.kill(apiserver!.pid, 'SIGCONT');
    frozen = false;
    const final = await gameday('halt');
    expect(final.status, final.out).toBe(0);
    expect((await apps.listNamespacedDaemonSet({ namespace: TOOLKIT_NAMESPACE, labelSelector: SELECTOR })).items).toHaveLength(0);
    expect((await core.listNamespacedConfigMap({ namespace: TOOLKIT_NAMESPACE, labelSelector: SELECTOR })).items).toHaveLength(0);
    const seqs = journalText().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(journalText()).toMatch(/"fault-reverted","faultId":"f1-nodes","outcome":"reverted"/);
  }, 300_000);
});
