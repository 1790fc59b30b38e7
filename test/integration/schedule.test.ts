/**
 * Scheduled drills inside the cluster, end to end on the sandbox: `gameday schedule export` prints
 * manifests that pass the API server's own validation (server-side dry run) and apply; the gameday
 * image, built without Docker by scripts/build-image.sh, is imported into the real node's
 * containerd; `kubectl create job --from=cronjob/…` runs a real drill in a pod on the real node as
 * the generated ServiceAccount with `journal: cluster`; the host then reads the drill's JUnit report
 * from the cluster journal with `gameday report`; and the same ServiceAccount's token is refused
 * (403) in a namespace without the opt-in label. Every missing piece fails the file loudly.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterJournalStore } from '../../src/adapters/kube/cluster-journal.js';
import { ConfigMaps } from '../../src/adapters/kube/config-maps.js';
import { kubeConnectionFor } from '../../src/adapters/kube/kubeconfig-sync.js';
import { SyncKubeApi } from '../../src/adapters/kube/sync-api.js';
import { leaseName } from '../../src/adapters/kube/cluster-lease.js';
import { TOOLKIT_NAMESPACE } from '../../src/core/environment.js';
import type { DrillEvent } from '../../src/core/events.js';
import { BIN, ensureBuilt, ROOT } from '../helpers/cli.js';
import { testNamespace, type TestNamespace } from '../helpers/kube.js';
import { checkoutReady, createPinnedCheckout, type PinnedCheckout } from '../helpers/sandbox/pinned-checkout.js';
import { firstRealNode, kubectl, onNode, type Run } from '../helpers/sandbox/real-node.js';
import { kube, sandbox, sandboxEnvironment, waitUntil, withRealNodeNetwork } from '../helpers/sandbox/sandbox.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
type Pod = {
  metadata: { name: string };
  spec: { nodeName?: string; serviceAccountName: string };
  status: { phase: string; containerStatuses?: { state?: { waiting?: { reason?: string; message?: string } } }[] };
};

const must = (what: string, r: Run): string => {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return r.stdout;
};

/** Builds the image (a no-op when current) and imports it into the real node unless that exact digest is there. */
function imageOnRealNode(): { ref: string; digest: string; archive: string } {
  const cache = process.env.GAMEDAY_CACHE ?? join(process.env.HOME ?? '/root', '.cache', 'gameday');
  const out = join(cache, 'gameday-image', 'gameday-test-node22.tar');
  const built = spawnSync('bash', [join(ROOT, 'scripts/build-image.sh'), '--out', out], { encoding: 'utf8', timeout: 240_000 });
  must('scripts/build-image.sh', { status: built.status, stdout: built.stdout ?? '', stderr: `${built.stderr ?? ''}${built.error ? String(built.error) : ''}` });
  const [ref, digest] = readFileSync(`${out}.ref`, 'utf8').trim().split(' ') as [string, string];
  const listed = must('ctr images ls on the real node', onNode(['ctr', '-n', 'k8s.io', 'images', 'ls']));
  if (!listed.split('\n').some((l) => l.startsWith(`${ref} `) && l.includes(digest))) must('ctr images import on the real node', onNode(['ctr', '-n', 'k8s.io', 'images', 'import', out], 120_000));
  return { ref, digest, archive: out };
}

/** The file names in the image's one layer (an OCI layout: index.json → manifest → layer blob). */
function layerFiles(archive: string): string[] {
  const blob = (digest: string) => must(`read ${digest}`, runTar(['-xOf', archive, `blobs/sha256/${digest.replace('sha256:', '')}`]));
  const index = JSON.parse(must('read index.json', runTar(['-xOf', archive, 'index.json']))) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(blob(index.manifests[0]!.digest)) as { layers: { digest: string }[] };
  const layer = spawnSync('bash', ['-c', `tar -xOf "$0" "$1" | tar -t`, archive, `blobs/sha256/${manifest.layers[0]!.digest.replace('sha256:', '')}`], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  return must('list the layer', { status: layer.status, stdout: layer.stdout ?? '', stderr: layer.stderr ?? '' }).split('\n').filter(Boolean);
}

function runTar(args: string[]): Run {
  const r = spawnSync('tar', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe('gameday schedule export: a drill in a CronJob on the real node, its journal in the cluster', () => {
  let fixture: PinnedCheckout;
  let outsider: TestNamespace;
  let dir = '';
  let envName = '';
  let sa = '';
  let manifests = '';
  let docs: Obj[] = [];
  let cronJob = '';
  let scaleCronJob = '';
  const jobs: string[] = [];
  let job = '';
  let drillId = '';
  const drillIds: string[] = [];
  let archive = '';
  const gd = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', GAMEDAY_STATE_DIR: join(dir, 'state') }, encoding: 'utf8', timeout: 60_000 });

  beforeAll(async () => {
    await ensureBuilt();
    fixture = await createPinnedCheckout('gd-sched');
    outsider = await testNamespace('gd-sched-noopt', { optIn: false });
    await outsider.pod('bystander', { app: 'bystander' });
    dir = mkdtempSync(join(tmpdir(), 'gd-sched-'));
    envName = `sched-${fixture.suffix}`;
    sa = `gd-sched-${fixture.suffix}`;
    // the library's checkout drill, pointed at the private copy of checkout, with its runbook
    mkdirSync(join(dir, 'scenarios'));
    mkdirSync(join(dir, 'runbooks'));
    writeFileSync(join(dir, 'scenarios/checkout-pod-kill.yaml'), readFileSync(join(ROOT, 'scenarios/checkout-pod-kill.yaml'), 'utf8').replaceAll('namespace: shop', `namespace: ${fixture.namespace}`));
    copyFileSync(join(ROOT, 'runbooks/checkout-pods.md'), join(dir, 'runbooks/checkout-pods.md'));
    writeFileSync(join(dir, 'scenarios/checkout-scaled-away.yaml'), scaledAwayScenario(fixture.namespace));
    const { kubeconfig, kubeContext } = sandbox();
    writeFileSync(join(dir, 'gameday.yaml'), `environments:\n  ${envName}:\n    critical: false\n    kube: { kubeconfig: ${kubeconfig}, context: ${kubeContext} }\n    journal: cluster\n`);
    const image = imageOnRealNode();
    archive = image.archive;
    const printed = gd(['schedule', 'export', 'scenarios/checkout-pod-kill.yaml', 'scenarios/checkout-scaled-away.yaml', '--env', envName, '--cron', '0 14 * * 3', '--cron', '0 15 * * 3', '--time-zone', 'Europe/Dublin', '--image', image.ref, '--service-account', sa, '--node-selector', `kubernetes.io/hostname=${firstRealNode()}`]);
    expect(printed.status, printed.stderr).toBe(0);
    manifests = join(dir, 'schedule.yaml');
    writeFileSync(manifests, printed.stdout);
    docs = parseAllDocuments(printed.stdout).map((d) => d.toJS() as Obj).filter(Boolean);
    cronJob = docs.find((d) => d.kind === 'CronJob')!.metadata.name;
    scaleCronJob = docs.find((d) => d.kind === 'CronJob' && d.metadata.name.endsWith('checkout-scaled-away'))!.metadata.name;
  }, 420_000);

  afterAll(async () => {
    const { k8s, kc, core } = await kube();
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    for (const j of [job, ...jobs].filter(Boolean)) kubectl(['-n', TOOLKIT_NAMESPACE, 'delete', 'job', j, '--ignore-not-found', '--wait=false']);
    // never the Namespace: gameday-system is the sandbox's own
    for (const d of docs.filter((x) => x.kind !== 'Namespace').reverse()) await objects.delete(d).catch(() => undefined);
    for (const id of [drillId, ...drillIds].filter(Boolean)) await core.deleteCollectionNamespacedConfigMap({ namespace: TOOLKIT_NAMESPACE, labelSelector: `gameday.dev/drill=${id}` }).catch(() => undefined);
    await outsider?.dispose();
    await fixture?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the image holds node, its shared libraries, the package and its production dependencies only', () => {
    const files = new Set(layerFiles(archive));
    for (const f of ['usr/local/bin/node', 'usr/lib64/ld-linux-x86-64.so.2', 'usr/lib/x86_64-linux-gnu/libc.so.6', 'usr/lib/x86_64-linux-gnu/libstdc++.so.6', 'app/bin/gameday.js', 'app/dist/bundle/main.js', 'app/package.json', 'app/src/injectors/node-iptables/agent.sh', 'app/node_modules/@kubernetes/client-node/package.json', 'app/node_modules/yaml/package.json', 'etc/passwd']) {
      expect(files.has(f), f).toBe(true);
    }
    // dev dependencies stay out (the image is what a CronJob pulls, every week)
    for (const dev of ['vitest', 'typescript', 'esbuild', 'eslint', 'playwright-core']) expect(files.has(`app/node_modules/${dev}/package.json`), dev).toBe(false);
    expect([...files].some((f) => f.startsWith('app/test/'))).toBe(false);
  });

  it('the manifests pass server-side dry run (the API server validates, admits and creates nothing), then apply', async () => {
    const dry = kubectl(['apply', '--dry-run=server', '-f', manifests]);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`cronjob.batch/${cronJob} created (server dry run)`);
    expect(dry.stdout).toContain(`serviceaccount/${sa} created (server dry run)`);
    const { core } = await kube();
    await expect(core.readNamespacedServiceAccount({ name: sa, namespace: TOOLKIT_NAMESPACE })).rejects.toMatchObject({ code: 404 });

    const applied = kubectl(['apply', '-f', manifests]);
    expect(applied.status, applied.stderr).toBe(0);
    const cj = JSON.parse(must('get cronjob', kubectl(['-n', TOOLKIT_NAMESPACE, 'get', 'cronjob', cronJob, '-o', 'json']))) as { spec: Record<string, unknown> & { jobTemplate: { spec: Record<string, unknown> } } };
    expect(cj.spec).toMatchObject({ schedule: '0 14 * * 3', timeZone: 'Europe/Dublin', concurrencyPolicy: 'Forbid' });
    expect(cj.spec.jobTemplate.spec.backoffLimit).toBe(0);
  });

  // The drills' pods run on the real node and their checkout copy on sandbox-node-1: the files that
  // stop, drain or cut off nodes (withRealNodeNetwork) must not do so while a drill of this file runs.
  it('a Job from the CronJob runs the drill in a pod on the real node as the ServiceAccount; the host reads its JUnit report from the cluster journal', () => withRealNodeNetwork(async () => {
    job = `${cronJob.slice(0, 40)}-now`;
    must('kubectl create job --from=cronjob', kubectl(['-n', TOOLKIT_NAMESPACE, 'create', 'job', `--from=cronjob/${cronJob}`, job]));
    const pod = await waitUntil(`job ${job}'s pod to finish`, async () => {
      const pods = JSON.parse(must('get pods', kubectl(['-n', TOOLKIT_NAMESPACE, 'get', 'pods', '-l', `job-name=${job}`, '-o', 'json']))) as { items: Pod[] };
      const p = pods.items[0];
      // an image the node does not have, or a pod that cannot start, ends the wait with its reason
      const stuck = p?.status.containerStatuses?.[0]?.state?.waiting;
      if (stuck && stuck.reason !== 'ContainerCreating') return { ...p, stuck: `${stuck.reason}: ${stuck.message ?? ''}` };
      return p && ['Succeeded', 'Failed'].includes(p.status.phase) ? { ...p, stuck: undefined } : undefined;
    }, 180_000, 1000).catch((e: Error) => {
      throw new Error(`${e.message}\n${kubectl(['-n', TOOLKIT_NAMESPACE, 'describe', 'job', job]).stdout.slice(-1500)}`);
    });
    expect(pod.stuck, "the drill's pod cannot start").toBeUndefined();
    const logs = kubectl(['-n', TOOLKIT_NAMESPACE, 'logs', pod.metadata.name]).stdout;
    expect(pod.status.phase, logs.slice(-2000)).toBe('Succeeded');
    expect(pod.spec.nodeName).toBe(firstRealNode());
    expect(pod.spec.serviceAccountName).toBe(sa);
    expect(logs).toMatch(/Fault injected: pod gd-sched-\w+\/checkout-/);
    drillId = /Drill id: (\S+)/.exec(logs)?.[1] ?? '';
    expect(drillId, logs.slice(-2000)).toMatch(/checkout-pod-kill/);

    const report = gd(['report', drillId, '--format', 'junit']);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toContain(`<property name="environment" value="${envName}"/>`);
    expect(report.stdout).toMatch(/<testsuites name="gameday" tests="\d+" failures="0"/);
    expect(report.stdout).toContain('name="drill completed"');
    // read from the cluster: nothing of the drill on this machine
    expect(existsSync(join(dir, 'state', 'journals'))).toBe(false);
  }), 900_000);

  it('gameday halt on the host stops the next scheduled drill in the cluster: the pod refuses (exit 3), the Job fails, nothing is killed', () => withRealNodeNetwork(async () => {
    const halted = gd(['halt', '--env', envName, '--reason', 'schedule test']);
    expect(halted.status, halted.stderr).toBe(0);
    try {
      const { core } = await kube();
      const before = (await core.listNamespacedPod({ namespace: fixture.namespace, labelSelector: 'app=checkout' })).items.map((p) => p.metadata!.name).sort();
      const haltedJob = `${cronJob.slice(0, 40)}-halt`;
      must('kubectl create job --from=cronjob (halted)', kubectl(['-n', TOOLKIT_NAMESPACE, 'create', 'job', `--from=cronjob/${cronJob}`, haltedJob]));
      try {
        const exit = await waitUntil(`job ${haltedJob}'s pod to end`, async () => {
          const r = kubectl(['-n', TOOLKIT_NAMESPACE, 'get', 'pods', '-l', `job-name=${haltedJob}`, '-o', 'jsonpath={.items[0].status.containerStatuses[0].state.terminated.exitCode}']);
          return r.status === 0 && r.stdout.trim() !== '' ? Number(r.stdout.trim()) : undefined;
        }, 120_000, 1000);
        const logs = kubectl(['-n', TOOLKIT_NAMESPACE, 'logs', `job/${haltedJob}`]);
        expect(exit, `${logs.stdout}${logs.stderr}`).toBe(3);
        expect(`${logs.stdout}${logs.stderr}`).toMatch(/halt/i);
        const after = (await core.listNamespacedPod({ namespace: fixture.namespace, labelSelector: 'app=checkout' })).items.map((p) => p.metadata!.name).sort();
        expect(after).toEqual(before);
      } finally {
        kubectl(['-n', TOOLKIT_NAMESPACE, 'delete', 'job', haltedJob, '--ignore-not-found', '--wait=false']);
      }
    } finally {
      const cleared = gd(['halt', '--clear', '--env', envName]);
      expect(cleared.status, cleared.stderr).toBe(0);
    }
  }), 900_000);

  /** Starts a Job from the scale-to-zero CronJob; resolves once its fault holds (checkout at 0), with the drill's id. */
  async function scaledAwayDrill(name: string): Promise<{ job: string; drillId: string; injectedAt: number }> {
    const j = `${scaleCronJob.slice(0, 40)}-${name}`;
    jobs.push(j);
    must(`kubectl create job ${j}`, kubectl(['-n', TOOLKIT_NAMESPACE, 'create', 'job', `--from=cronjob/${scaleCronJob}`, j]));
    const { apps } = await kube();
    await waitUntil(`job ${j}'s drill to scale checkout to 0`, async () => (await apps.readNamespacedDeployment({ name: 'checkout', namespace: fixture.namespace })).spec?.replicas === 0, 180_000, 500).catch((e: Error) => {
      throw new Error(`${e.message}\n${kubectl(['-n', TOOLKIT_NAMESPACE, 'logs', `job/${j}`]).stdout.slice(-1500)}`);
    });
    const injectedAt = Date.now();
    // the drill holds the environment's Lease under its id while it lives
    const id = must(`the Lease of ${envName}`, kubectl(['-n', TOOLKIT_NAMESPACE, 'get', 'lease', leaseName(envName), '-o', 'jsonpath={.spec.holderIdentity}'])).trim();
    expect(id).toMatch(/checkout-scaled-away/);
    drillIds.push(id);
    return { job: j, drillId: id, injectedAt };
  }

  /** The drill's journal events, read on the host straight from the cluster (its ConfigMaps in gameday-system). */
  const journalOf = (id: string): DrillEvent[] => {
    const maps = new ConfigMaps(new SyncKubeApi(kubeConnectionFor(sandboxEnvironment())));
    try {
      return new ClusterJournalStore(maps, 'schedule test').read(id).events;
    } finally {
      maps.api.close();
    }
  };

  /** After a failed test: whatever a drill left, reverted, so the next test finds checkout whole. */
  async function leaveCheckoutWhole(): Promise<void> {
    const { apps } = await kube();
    if ((await apps.readNamespacedDeployment({ name: 'checkout', namespace: fixture.namespace })).spec?.replicas === 3) return;
    gd(['halt', '--env', envName, '--reason', 'schedule test cleanup']);
    gd(['halt', '--clear', '--env', envName]);
    await checkoutReady(fixture.namespace, 3);
  }

  it('gameday halt on the host reverts the fault a scheduled drill holds in the cluster, exactly once; the drill ends halted', () => withRealNodeNetwork(async () => {
    const { drillId: id, job: j } = await scaledAwayDrill('halt');
    try {
      const halted = gd(['halt', '--env', envName, '--reason', 'schedule test: live drill']);
      expect(halted.status, `${halted.stdout}${halted.stderr}`).toBe(0);
      // halt sets the flag first: the pod's drill sees it within a second and races halt to the revert.
      // Halt may revert it, find it gone under the fault's claim, or find it already reverted — what
      // holds every time is in the journal below: reverted exactly once, the drill ended halted
      expect(halted.stdout).toMatch(/1 drill\(s\) checked/);
      await checkoutReady(fixture.namespace, 3);
      const exit = await waitUntil(`job ${j}'s pod to end`, async () => {
        const r = kubectl(['-n', TOOLKIT_NAMESPACE, 'get', 'pods', '-l', `job-name=${j}`, '-o', 'jsonpath={.items[0].status.containerStatuses[0].state.terminated.exitCode}']);
        return r.status === 0 && r.stdout.trim() !== '' ? Number(r.stdout.trim()) : undefined;
      }, 120_000, 1000);
      expect(exit).toBe(3); // HALTED: the drill in the pod saw the flag and stopped
      const events = journalOf(id);
      expect(events.filter((e) => e.type === 'fault-reverted' && e.outcome === 'reverted')).toHaveLength(1);
      // ended halted — by the pod's drill, or closed by halt itself when it reverted first
      const ends = events.flatMap((e) => (e.type === 'drill-ended' ? [e.reason] : []));
      expect(ends.length).toBeGreaterThan(0);
      expect(new Set(ends)).toEqual(new Set(['halted']));
    } finally {
      const cleared = gd(['halt', '--clear', '--env', envName]);
      expect(cleared.status, cleared.stderr).toBe(0);
      await leaveCheckoutWhole();
    }
  }), 900_000);

  it('the drill\'s pod SIGKILLed mid-drill: the keeper CronJob reverts its fault before the deadline, once the Lease lapses', () => withRealNodeNetwork(async () => {
    try {
      await keeperRevertsKilledDrill();
    } finally {
      await leaveCheckoutWhole();
    }
  }), 900_000);

  async function keeperRevertsKilledDrill(): Promise<void> {
    const { drillId: id } = await scaledAwayDrill('killed');
    // SIGKILL the drill's own process (the pod's node shares the host's process table): no revert of its own
    const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout.split('\n');
    const pids = ps.filter((l) => l.includes(`run checkout-scaled-away --env ${envName}`)).map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(pids.length, ps.filter((l) => l.includes('gameday')).join('\n')).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    const { apps } = await kube();
    await waitUntil('the keeper to restore checkout', async () => (await apps.readNamespacedDeployment({ name: 'checkout', namespace: fixture.namespace })).spec?.replicas === 3, 300_000, 1000).catch((e: Error) => {
      const keeperJobs = kubectl(['-n', TOOLKIT_NAMESPACE, 'get', 'jobs', '-l', 'app.kubernetes.io/component=keeper']).stdout;
      throw new Error(`${e.message}\nkeeper jobs:\n${keeperJobs}\n${gd(['status', '--env', envName]).stdout}`);
    });
    const restoredAt = Date.now();
    // the keeper journals after the Deployment is whole again (fault-reverted, then drill-ended): wait for the end
    const events = await waitUntil(`drill ${id}'s journal to end`, async () => {
      const read = journalOf(id);
      return read.some((e) => e.type === 'drill-ended') ? read : undefined;
    }, 120_000, 1000);
    const intent = events.find((e) => e.type === 'fault-intent');
    const deadline = intent?.type === 'fault-intent' ? intent.record.deadline : undefined;
    expect(deadline).toBeDefined();
    const reverted = events.filter((e) => e.type === 'fault-reverted' && e.outcome === 'reverted');
    expect(reverted).toHaveLength(1);
    expect(Date.parse(reverted[0]!.at)).toBeLessThan(deadline!);
    expect(events.flatMap((e) => (e.type === 'fault-revert-started' ? [e.reason] : []))).toEqual(['recover']);
    expect(events.find((e) => e.type === 'drill-ended')).toMatchObject({ reason: 'aborted' });
    console.log(`keeper: checkout restored ${Math.round((restoredAt - killedAt) / 1000)} s after the drill's pod was SIGKILLed (Lease ${60} s, keeper every minute); ${Math.round((deadline! - restoredAt) / 1000)} s before the fault's deadline`);
    await checkoutReady(fixture.namespace, 3);
  }

  it('the same ServiceAccount token is refused (403) in a namespace without the opt-in label, and allowed where the drill acts', async () => {
    const token = must('kubectl create token', kubectl(['-n', TOOLKIT_NAMESPACE, 'create', 'token', sa, '--duration', '10m'])).trim();
    // a kubeconfig with the token alone: beside the admin's client certificate, the certificate would win
    const admin = readFileSync(sandbox().kubeconfig, 'utf8');
    const server = /server: (\S+)/.exec(admin)![1]!;
    const ca = /certificate-authority-data: (\S+)/.exec(admin)![1]!;
    const saKubeconfig = join(dir, 'sa-kubeconfig');
    writeFileSync(saKubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{ name: s, cluster: { server: ${server}, certificate-authority-data: ${ca} } }]\nusers: [{ name: u, user: { token: ${token} } }]\ncontexts: [{ name: c, context: { cluster: s, user: u } }]\ncurrent-context: c\n`);
    const kubectlBin = join(process.env.GAMEDAY_CACHE ?? join(process.env.HOME ?? '/root', '.cache', 'gameday'), 'bin', 'kubectl');
    const asSa = (args: string[]): Run => {
      const r = spawnSync(kubectlBin, ['--kubeconfig', saKubeconfig, ...args], { encoding: 'utf8', timeout: 20_000 });
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    };
    const listOutside = asSa(['-n', outsider.name, 'get', 'pods']);
    expect(listOutside.status).not.toBe(0);
    expect(listOutside.stderr).toMatch(/Forbidden.*pods is forbidden: User "system:serviceaccount:gameday-system:[^"]+" cannot list resource "pods"/s);
    const deleteOutside = asSa(['-n', outsider.name, 'delete', 'pod', 'bystander', '--wait=false']);
    expect(deleteOutside.stderr).toMatch(/Forbidden|forbidden/);
    const { core } = await kube();
    expect((await core.readNamespacedPod({ name: 'bystander', namespace: outsider.name })).metadata?.name).toBe('bystander');
    // the token itself works: the drill's own namespace answers
    expect(must('list pods where the drill acts', asSa(['-n', fixture.namespace, 'get', 'pods', '-o', 'name']))).toContain('pod/checkout-');
  });
});

/** A reversible fault a scheduled drill holds for minutes: checkout scaled to zero (test-only scenario). */
const scaledAwayScenario = (namespace: string): string => `id: checkout-scaled-away
title: Checkout scaled to zero, on a schedule
summary: |
  The checkout Deployment is scaled to 0 for 5 minutes; the drill restores the journaled count at
  its deadline, on gameday halt, or (its pod gone) the keeper does.
briefing: |
  Checkout answers nothing. What could it be?
faults:
  - kind: k8s.scale
    target:
      namespace: ${namespace}
      deployment: checkout
    params:
      replicas: 0
    duration: 5m
hints:
  - text: "kubectl get deploy checkout"
    after: 1m
  - text: "look at the desired count"
    after: 2m
  - text: "scale it back"
timeLimit: 7m
`;
