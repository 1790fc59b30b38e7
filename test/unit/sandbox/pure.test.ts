import { describe, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { environmentSpec, guardSpec } from '../../../src/core/environment.js';
import { COMPONENTS, componentSpecs, type Ports } from '../../../src/sandbox/components.js';
import { renderKubeconfig, SANDBOX_CONTEXT } from '../../../src/sandbox/kubeconfig.js';
import { sandboxPaths } from '../../../src/sandbox/paths.js';
import { serverAltNames } from '../../../src/sandbox/pki.js';
import { missingArtefacts, parseProvisionFailure } from '../../../src/sandbox/provision.js';
import { environmentRegistration, infoFor, type SandboxState } from '../../../src/sandbox/sandbox.js';
import { nodeRefs } from '../../../src/sandbox/seed-aws.js';
import { nodeObjects, worldObjects } from '../../../src/sandbox/seed-kube.js';
import { renderStageConfig, stageDocuments, STAGE_NAMES } from '../../../src/sandbox/stages.js';

const ports: Ports = { etcdClient: 20001, etcdPeer: 20002, apiServer: 20003, controllerManager: 20004, scheduler: 20005, moto: 20006 };
const paths = sandboxPaths('/tmp/gameday-unit-cache');

describe('kubeconfig', () => {
  test('one cluster, user and context named gameday-sandbox, current, with embedded credentials', () => {
    const text = renderKubeconfig({ server: 'https://127.0.0.1:20003', caPem: 'CA', clientCertPem: 'CERT', clientKeyPem: 'KEY' });
    const kc = parse(text);
    expect(kc['current-context']).toBe(SANDBOX_CONTEXT);
    expect(kc.contexts).toEqual([{ name: 'gameday-sandbox', context: { cluster: 'gameday-sandbox', user: 'gameday-sandbox-admin' } }]);
    expect(kc.clusters[0].cluster.server).toBe('https://127.0.0.1:20003');
    expect(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe('CA');
    expect(Buffer.from(kc.users[0].user['client-certificate-data'], 'base64').toString()).toBe('CERT');
    expect(Buffer.from(kc.users[0].user['client-key-data'], 'base64').toString()).toBe('KEY');
  });
});

describe('kwok stages', () => {
  test('the fast stage set: node-initialize, node-heartbeat, pod-ready, pod-delete', () => {
    const docs = parseAllDocuments(renderStageConfig()).map((d) => d.toJS());
    expect(docs.map((d) => d.metadata.name)).toEqual([...STAGE_NAMES]);
    expect(docs.every((d) => d.apiVersion === 'kwok.x-k8s.io/v1alpha1' && d.kind === 'Stage')).toBe(true);
    expect(docs.find((d) => d.metadata.name === 'pod-delete').spec.next).toEqual({ delete: true });
    const ready = docs.find((d) => d.metadata.name === 'pod-ready');
    expect(ready.spec.resourceRef).toEqual({ apiGroup: 'v1', kind: 'Pod' });
    expect(ready.spec.next.statusTemplate).toContain('phase: Running');
    expect(ready.spec.selector.matchExpressions).toContainEqual({ key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' });
  });

  test.each([1000, 20_000])('heartbeat every %i ms with jitter ≥ the delay (kwok requires it)', (ms) => {
    const hb = stageDocuments({ heartbeatMs: ms }).find((d) => d.metadata.name === 'node-heartbeat');
    const delay = hb?.spec.delay as { durationMilliseconds: number; jitterDurationMilliseconds: number };
    expect(delay.durationMilliseconds).toBe(ms);
    expect(delay.jitterDurationMilliseconds).toBeGreaterThanOrEqual(ms);
  });

  test('node-initialize makes a node Ready with the conditions the node lifecycle controller reads', () => {
    const init = stageDocuments().find((d) => d.metadata.name === 'node-initialize');
    const tpl = (init?.spec.next as { statusTemplate: string }).statusTemplate;
    for (const c of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']) expect(tpl).toContain(`type: ${c}`);
    expect(tpl).toContain('phase: Running');
  });
});

describe('component command lines', () => {
  const specs = componentSpecs(paths, ports);
  test('every component is defined and nothing listens on a wildcard address', () => {
    expect(Object.keys(specs).sort()).toEqual([...COMPONENTS].sort());
    for (const s of Object.values(specs)) {
      expect(s.args.join(' ')).not.toMatch(/0\.0\.0\.0|\[::\]/);
      if (s.health.kind !== 'process') expect(new URL(s.health.url).hostname).toBe('127.0.0.1');
    }
  });
  test.each([
    ['kube-apiserver', '--allow-privileged=true'],
    ['kube-apiserver', '--authorization-mode=RBAC'],
    ['kube-apiserver', '--bind-address=127.0.0.1'],
    ['kube-apiserver', `--secure-port=${ports.apiServer}`],
    ['kube-apiserver', `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`],
    ['kube-apiserver', `--service-account-signing-key-file=${paths.pki}/sa.key`],
    ['kube-apiserver', `--requestheader-client-ca-file=${paths.pki}/ca.crt`],
    ['kube-apiserver', `--proxy-client-cert-file=${paths.pki}/front-proxy-client.crt`],
    ['kube-controller-manager', `--service-account-private-key-file=${paths.pki}/sa.key`],
    ['kube-controller-manager', '--bind-address=127.0.0.1'],
    ['kube-scheduler', `--secure-port=${ports.scheduler}`],
    ['etcd', `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`],
    ['kwok', `--config=${paths.kwokConfig}`],
    ['kwok', '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake'],
  ] as const)('%s gets %s', (name, arg) => {
    expect(specs[name].args).toContain(arg);
  });
  test('moto binds 127.0.0.1 on its port', () => {
    expect(specs.moto.args).toEqual(['-H', '127.0.0.1', '-p', String(ports.moto)]);
  });
});

describe('credentials', () => {
  test('the serving certificate covers 127.0.0.1, localhost and the kubernetes service IP', () => {
    expect(serverAltNames('10.96.0.0/16')).toEqual(expect.arrayContaining(['IP:127.0.0.1', 'DNS:localhost', 'IP:10.96.0.1', 'DNS:kubernetes.default.svc']));
  });
});

describe('provisioning errors', () => {
  test('the failed step and its log are read from the script output', () => {
    const out = '[provision 10:00:00] kwok v0.8.0: build … (log: /c/logs/kwok.log)\n[provision 10:01:00] FAILED: kwok v0.8.0: build (log: /c/logs/kwok-build.log)\nsome tail\n';
    expect(parseProvisionFailure(out)).toEqual({ step: 'kwok v0.8.0: build', log: '/c/logs/kwok-build.log' });
    expect(parseProvisionFailure('all good')).toBeUndefined();
  });
});

describe('seed objects', () => {
  test('nodes are untainted, annotated for kwok, spread over two zones and linked to their instances', () => {
    const objs = nodeObjects(nodeRefs(3), { 'sandbox-node-1': 'i-1', 'sandbox-node-2': 'i-2', 'sandbox-node-3': 'i-3' }) as {
      metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
      spec: { taints?: unknown; providerID?: string };
    }[];
    expect(objs.map((o) => o.metadata.name)).toEqual(['sandbox-node-1', 'sandbox-node-2', 'sandbox-node-3']);
    expect(objs.map((o) => o.metadata.labels['topology.kubernetes.io/zone'])).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1a']);
    expect(objs.every((o) => o.spec.taints === undefined && o.metadata.annotations['kwok.x-k8s.io/node'] === 'fake')).toBe(true);
    expect(objs[1]?.spec.providerID).toBe('aws:///us-east-1b/i-2');
    const withIps = nodeObjects(nodeRefs(1), { 'sandbox-node-1': 'i-1' }, 'us-east-1', { 'sandbox-node-1': '10.20.1.5' }) as { metadata: { annotations: Record<string, string> } }[];
    expect(withIps[0]?.metadata.annotations['gameday.dev/internal-ip']).toBe('10.20.1.5');
  });
  test('the world: shop opted in, checkout 3 and catalog 2, services, and the toolkit namespace', () => {
    const objs = worldObjects() as { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: { replicas?: number } }[];
    expect(objs.find((o) => o.kind === 'Namespace' && o.metadata.name === 'shop')?.metadata.labels?.['gameday.dev/enabled']).toBe('true');
    expect(objs.some((o) => o.kind === 'Namespace' && o.metadata.name === 'gameday-system')).toBe(true);
    expect(objs.filter((o) => o.kind === 'Deployment').map((o) => [o.metadata.name, o.spec?.replicas])).toEqual([
      ['checkout', 3],
      ['catalog', 2],
    ]);
    expect(objs.filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toEqual(['checkout', 'catalog']);
  });
});

describe('environment registration', () => {
  test('is a valid non-critical environment with the default guards', () => {
    const state: SandboxState = { version: 1, createdAt: '', nodes: 3, ports, processes: {}, seeded: { kube: true, aws: true } };
    const info = infoFor(paths, state);
    const env = environmentSpec.parse({ ...environmentRegistration(info), aws: { region: 'us-east-1', endpoint: info.aws.endpoint, hostedZones: ['Z1'] } });
    expect(env.critical).toBe(false);
    expect(env.kube).toEqual({ context: 'gameday-sandbox', kubeconfig: '/tmp/gameday-unit-cache/sandbox/kubeconfig' });
    expect(env.aws?.endpoint).toBe('http://127.0.0.1:20006');
    // the toolkit's default guards, loosened only enough for 2 of checkout's 3 pods
    expect(env.guards).toEqual({ ...guardSpec.parse({}), maxPercent: 70 });
    expect(info.nodes).toEqual(['sandbox-node-1', 'sandbox-node-2', 'sandbox-node-3']);
  });
});

describe('first-use provisioning', () => {
  test('an empty cache misses every artefact; `up` provisions only then', () => {
    const missing = missingArtefacts('/nonexistent-gameday-cache');
    expect(missing.map((m) => m.split('/').pop())).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok', 'moto_server', 'aws']);
  });
});
