/**
 * The practice sandbox: `up`, `status`, `down`, used by the CLI (`gameday sandbox …`) and by the
 * integration tests' global setup alike. `up` provisions what is missing, starts etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler, kwok and moto on free 127.0.0.1 ports,
 * writes the kubeconfig (context gameday-sandbox) beside the user's, creates the kwok nodes and the
 * demo world, waits until checkout is Ready, and registers the `sandbox` environment.
 * A second `up` finds the running sandbox healthy and only reports it.
 * Interrupting `up` (signal) stops everything it started; `down` stops by recorded pid.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { guardSpec } from '../core/environment.js';
import { GamedayError } from '../core/errors.js';
import { COMPONENTS, componentSpecs, pkiFiles, HOST, type ComponentName, type Ports } from './components.js';
import { renderKubeconfig, SANDBOX_CONTEXT } from './kubeconfig.js';
import { withLock } from './lock.js';
import { sandboxPaths, type SandboxPaths } from './paths.js';
import { ensurePki } from './pki.js';
import { missingArtefacts, provision } from './provision.js';
import { localAwsClients, nodeRefs, SANDBOX_REGION, seedAws, type AwsWorld } from './seed-aws.js';
import { ensureObjects, nodeObjects, worldObjects, DEMO_APPS, SHOP_NAMESPACE } from './seed-kube.js';
import { renderStageConfig } from './stages.js';
import { checkHealth, freePorts, isRunning, rssKiB, sleep, spawnComponent, stopProcess, tail, waitHealthy, type Health, type ProcessRecord, type TlsMaterial } from './supervisor.js';

export const DEFAULT_NODES = 3;
export const SANDBOX_ENV_NAME = 'sandbox';
export const SANDBOX_MAX_PERCENT = 70;

export interface SandboxState {
  version: 1;
  createdAt: string;
  nodes: number;
  ports: Ports;
  processes: Partial<Record<ComponentName, ProcessRecord>>;
  seeded: { kube: boolean; aws: boolean };
  world?: AwsWorld;
  ready?: boolean;
}

/** What tests and `status --json` need to reach the sandbox. */
export interface SandboxInfo {
  envName: string;
  kubeContext: string;
  kubeconfig: string;
  apiServer: string;
  aws: { endpoint: string; region: string; hostedZones: string[] };
  nodes: string[];
  stateDir: string;
  environmentFile: string;
  world?: AwsWorld;
}

export interface ComponentStatus {
  name: ComponentName;
  pid?: number;
  healthy: boolean;
  detail: string;
  log?: string;
  rssKiB?: number;
}

export interface SandboxStatus {
  running: boolean;
  healthy: boolean;
  info?: SandboxInfo;
  components: ComponentStatus[];
  kube?: { nodesReady: number; nodes: number; checkoutReady: string; catalogReady: string };
}

export interface UpOptions {
  nodes?: number;
  cache?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** run provision.sh first: true = always (version checks), false = never, default = when an artefact is missing */
  provision?: boolean;
}

export interface UpResult {
  info: SandboxInfo;
  reused: boolean;
  seconds: number;
  created: string[];
}

const START_ORDER: ComponentName[][] = [['etcd', 'moto'], ['kube-apiserver'], ['kube-controller-manager', 'kube-scheduler', 'kwok']];
const STOP_ORDER: ComponentName[][] = [['kwok', 'kube-scheduler', 'kube-controller-manager', 'moto'], ['kube-apiserver'], ['etcd']];
const START_TIMEOUT: Record<ComponentName, number> = { etcd: 30_000, 'kube-apiserver': 90_000, 'kube-controller-manager': 60_000, 'kube-scheduler': 60_000, kwok: 30_000, moto: 60_000 };

export function readState(p: SandboxPaths): SandboxState | undefined {
  try {
    const s = JSON.parse(readFileSync(p.stateFile, 'utf8')) as SandboxState;
    return s.version === 1 ? s : undefined;
  } catch {
    return undefined;
  }
}

function writeJsonAtomic(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(tmp, file);
}

export function infoFor(p: SandboxPaths, s: SandboxState): SandboxInfo {
  return {
    envName: SANDBOX_ENV_NAME,
    kubeContext: SANDBOX_CONTEXT,
    kubeconfig: p.kubeconfig,
    apiServer: `https://${HOST}:${s.ports.apiServer}`,
    aws: { endpoint: `http://${HOST}:${s.ports.moto}`, region: SANDBOX_REGION, hostedZones: s.world ? [s.world.hostedZoneId] : [] },
    nodes: nodeRefs(s.nodes).map((n) => n.name),
    stateDir: p.state,
    environmentFile: p.environmentFile,
    world: s.world,
  };
}

/** The registration read by the config loader as environment `sandbox` (pure). */
export function environmentRegistration(info: SandboxInfo): Record<string, unknown> {
  return {
    description: 'local practice sandbox (gameday sandbox up): real kube-apiserver with kwok nodes, moto for AWS',
    critical: false,
    kube: { context: info.kubeContext, kubeconfig: info.kubeconfig },
    aws: { region: info.aws.region, endpoint: info.aws.endpoint, hostedZones: info.aws.hostedZones },
    // the practice shop runs 3 checkout pods: allow killing 2 of them (67%), as the first drills do
    // the default guards, except that 2 of checkout's 3 pods (67 %) may be hit: issue 4's
    // `inject k8s.pod-kill … --param count=2` runs against this environment. Never 100.
    guards: { ...guardSpec.parse({}), maxPercent: SANDBOX_MAX_PERCENT },
    defaultDuration: '10m',
    maxDuration: '1h',
  };
}

function tlsFor(p: SandboxPaths): TlsMaterial | undefined {
  const f = pkiFiles(p.pki);
  try {
    return { ca: readFileSync(f.caCert), cert: readFileSync(f.adminCert), key: readFileSync(f.adminKey) };
  } catch {
    return undefined;
  }
}

async function componentHealth(p: SandboxPaths, s: SandboxState): Promise<ComponentStatus[]> {
  const specs = componentSpecs(p, s.ports);
  const tls = tlsFor(p);
  return Promise.all(
    COMPONENTS.map(async (name) => {
      const rec = s.processes[name];
      const h: Health = await checkHealth(specs[name], rec, tls);
      return { name, pid: rec?.pid, healthy: h.healthy, detail: h.detail, log: rec?.log, rssKiB: rec && isRunning(rec) ? rssKiB(rec.pid) : undefined };
    }),
  );
}

async function loadKube(p: SandboxPaths) {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(p.kubeconfig);
  kc.setCurrentContext(SANDBOX_CONTEXT);
  return { k8s, kc, core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
}

async function kubeSummary(p: SandboxPaths): Promise<SandboxStatus['kube']> {
  const { core, apps } = await loadKube(p);
  const nodes = await core.listNode({ labelSelector: 'type=kwok' });
  const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  const dep = async (name: string) => {
    try {
      const d = await apps.readNamespacedDeployment({ name, namespace: SHOP_NAMESPACE });
      return `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`;
    } catch {
      return 'missing';
    }
  };
  return { nodes: nodes.items.length, nodesReady: ready, checkoutReady: await dep('checkout'), catalogReady: await dep('catalog') };
}

export async function sandboxStatus(opts: { cache?: string } = {}): Promise<SandboxStatus> {
  const p = sandboxPaths(opts.cache);
  const s = readState(p);
  if (!s) return { running: false, healthy: false, components: COMPONENTS.map((name) => ({ name, healthy: false, detail: 'not started' })) };
  const components = await componentHealth(p, s);
  const healthy = components.every((c) => c.healthy) && s.ready === true;
  let kube: SandboxStatus['kube'];
  if (components.find((c) => c.name === 'kube-apiserver')?.healthy) {
    try {
      kube = await kubeSummary(p);
    } catch {
      kube = undefined;
    }
  }
  return { running: components.some((c) => c.pid !== undefined && c.detail !== 'not started'), healthy, info: infoFor(p, s), components, kube };
}

/** Stops every recorded process (by pid) and removes the state and the registration. */
async function teardown(p: SandboxPaths, s: SandboxState | undefined, opts: { keepLogs?: boolean } = {}): Promise<string[]> {
  const stopped: string[] = [];
  if (s) {
    for (const group of STOP_ORDER) {
      await Promise.all(
        group.map(async (name) => {
          const rec = s.processes[name];
          if (rec && isRunning(rec)) {
            await stopProcess(rec);
            stopped.push(`${name} (pid ${rec.pid})`);
          }
        }),
      );
    }
  }
  rmSync(p.environmentFile, { force: true });
  if (opts.keepLogs && existsSync(p.state)) {
    // a failed start keeps its logs for the error message to point at
    for (const entry of readdirSync(p.state)) if (join(p.state, entry) !== p.logs) rmSync(join(p.state, entry), { recursive: true, force: true });
  } else {
    rmSync(p.state, { recursive: true, force: true });
  }
  return stopped;
}

export async function sandboxDown(opts: { cache?: string } = {}): Promise<{ stopped: string[]; wasRunning: boolean }> {
  const p = sandboxPaths(opts.cache);
  return withLock(p.lockFile, async () => {
    const s = readState(p);
    const stopped = await teardown(p, s);
    return { stopped, wasRunning: s !== undefined };
  });
}

function interrupted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new GamedayError('INTERRUPTED', 'sandbox start interrupted; everything it started was stopped');
}

export async function sandboxUp(opts: UpOptions = {}): Promise<UpResult> {
  const started = Date.now();
  const p = sandboxPaths(opts.cache);
  const say = (m: string) => opts.onProgress?.(m);
  const nodes = opts.nodes ?? DEFAULT_NODES;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 100) throw new GamedayError('INVALID_INPUT', `--nodes must be a whole number from 1 to 100 (got ${opts.nodes})`);
  return withLock(
    p.lockFile,
    async () => {
      const existing = readState(p);
      if (existing) {
        const bad = await unhealthyComponents(p, existing, say);
        if (bad.length === 0 && existing.ready) {
          const created = await ensureNodes(p, existing, nodes, say);
          return { info: infoFor(p, existing), reused: true, seconds: (Date.now() - started) / 1000, created };
        }
        say(`the recorded sandbox is not healthy (${bad.map((c) => `${c.name}: ${c.detail}`).join('; ') || 'start-up never finished'}); restarting it from scratch`);
        await teardown(p, existing);
      }
      // provision on first use (or when asked); `gameday sandbox provision` re-checks versions
      const missing = missingArtefacts(p.cache);
      if (opts.provision === true || (opts.provision !== false && missing.length > 0)) {
        say(missing.length ? `provisioning (missing: ${missing.map((m) => basename(m)).join(', ')}; a cold build takes 15-30 min)…` : 'provisioning…');
        await provision({ cache: opts.cache, onProgress: say, signal: opts.signal });
      }
      interrupted(opts.signal);
      try {
        return await startFresh(p, nodes, started, opts);
      } catch (e) {
        // the free ports are chosen before the components bind them: another program can take
        // one in between. That (and only that) is worth one more try on new ports.
        if (!(e instanceof GamedayError) || e.code !== 'BACKEND_FAILED' || !portTaken(p)) throw e;
        say('a port was taken meanwhile: retrying on new ports…');
        return await startFresh(p, nodes, started, opts);
      }
    },
    { signal: opts.signal, onWait: (pid) => say(`waiting for another sandbox command (pid ${pid}) to finish…`) },
  );
}

function portTaken(p: SandboxPaths): boolean {
  return COMPONENTS.some((name) => /address already in use/i.test(tail(join(p.logs, `${name}.log`), 30)));
}

/**
 * Components that stay unhealthy. A busy machine can make one health check time out: while every
 * recorded process is alive, checks are retried for up to 30 s before the sandbox is declared
 * broken (a restart would disrupt whoever is using it).
 */
async function unhealthyComponents(p: SandboxPaths, s: SandboxState, say: (m: string) => void): Promise<ComponentStatus[]> {
  const until = Date.now() + 30_000;
  let told = false;
  for (;;) {
    const bad = (await componentHealth(p, s)).filter((c) => !c.healthy);
    const dead = COMPONENTS.some((name) => {
      const rec = s.processes[name];
      return !rec || !isRunning(rec);
    });
    if (bad.length === 0 || dead || !s.ready || Date.now() > until) return bad;
    if (!told) say(`waiting for ${bad.map((c) => c.name).join(', ')} to answer (${bad[0]?.detail})…`);
    told = true;
    await sleep(1000);
  }
}

async function ensureNodes(p: SandboxPaths, s: SandboxState, nodes: number, say: (m: string) => void): Promise<string[]> {
  if (nodes < s.nodes) say(`the running sandbox has ${s.nodes} nodes; --nodes only adds nodes (\`gameday sandbox down\` first to have fewer)`);
  if (nodes <= s.nodes) return [];
  say(`adding nodes: ${s.nodes} → ${nodes}`);
  const refs = nodeRefs(nodes);
  const aws = localAwsClients(`http://${HOST}:${s.ports.moto}`);
  const world = s.world ? await seedAws(aws, refs).finally(() => aws.destroy()) : undefined;
  const { kc } = await loadKube(p);
  const created = await ensureObjects(kc, nodeObjects(refs, world?.instances, SANDBOX_REGION, world?.privateIps));
  s.nodes = nodes;
  if (world) s.world = world;
  writeJsonAtomic(p.stateFile, s);
  await waitFor(async () => (await kubeSummary(p))?.nodesReady === nodes, 60_000, 'the new nodes to turn Ready');
  return created;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string, signal?: AbortSignal): Promise<void> {
  const until = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < until) {
    interrupted(signal);
    try {
      if (await check()) return;
    } catch (e) {
      lastError = (e as Error).message;
    }
    await sleep(250);
  }
  throw new GamedayError('BACKEND_FAILED', `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? ` (${lastError})` : ''}`, {
    hint: 'see the logs in the sandbox state directory; `gameday sandbox status` shows each component',
  });
}

async function startFresh(p: SandboxPaths, nodes: number, started: number, opts: UpOptions): Promise<UpResult> {
  const say = (m: string) => opts.onProgress?.(m);
  const [etcdClient, etcdPeer, apiServer, controllerManager, scheduler, moto] = await freePorts(6);
  const ports: Ports = { etcdClient: etcdClient!, etcdPeer: etcdPeer!, apiServer: apiServer!, controllerManager: controllerManager!, scheduler: scheduler!, moto: moto! };
  const state: SandboxState = { version: 1, createdAt: new Date().toISOString(), nodes, ports, processes: {}, seeded: { kube: false, aws: false } };
  try {
    mkdirSync(p.state, { recursive: true, mode: 0o700 });
    mkdirSync(p.logs, { recursive: true });
    writeJsonAtomic(p.stateFile, state);
    say('creating credentials (CA, API server certificate, admin client certificate, service-account keys)…');
    const pki = await ensurePki(p.pki);
    writeFileSync(
      p.kubeconfig,
      renderKubeconfig({ server: `https://${HOST}:${ports.apiServer}`, caPem: readFileSync(pki.caCert, 'utf8'), clientCertPem: readFileSync(pki.adminCert, 'utf8'), clientKeyPem: readFileSync(pki.adminKey, 'utf8') }),
      { mode: 0o600 },
    );
    writeFileSync(p.kwokConfig, renderStageConfig());
    const specs = componentSpecs(p, ports);
    const tls = tlsFor(p);
    const refs = nodeRefs(nodes);
    // the AWS world is created while the control plane starts (moto starts first)
    let awsSeed: Promise<AwsWorld> | undefined;
    for (const group of START_ORDER) {
      interrupted(opts.signal);
      for (const name of group) {
        state.processes[name] = spawnComponent(specs[name], p.logs);
        writeJsonAtomic(p.stateFile, state); // recorded the moment it exists: `down` can always find it
      }
      say(`starting ${group.join(', ')}…`);
      const results = await Promise.all(group.map(async (name) => ({ name, h: await waitHealthy(specs[name], state.processes[name]!, START_TIMEOUT[name], tls, opts.signal) })));
      interrupted(opts.signal);
      const failed = results.find((r) => !r.h.healthy);
      if (failed) {
        const rec = state.processes[failed.name]!;
        throw new GamedayError('BACKEND_FAILED', `${failed.name} did not start: ${failed.h.detail}\n${tail(rec.log)}`, { hint: `read ${rec.log}; \`gameday sandbox provision\` rebuilds missing binaries` });
      }
      if (group.includes('moto') && !awsSeed) {
        say(`creating the AWS world on the local endpoint (127.0.0.1:${ports.moto})…`);
        const aws = localAwsClients(`http://${HOST}:${ports.moto}`);
        awsSeed = seedAws(aws, refs).finally(() => aws.destroy());
        awsSeed.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
      }
    }
    if (!awsSeed) throw new GamedayError('INTERNAL', 'moto was not started');
    state.world = await awsSeed;
    state.seeded.aws = true;
    writeJsonAtomic(p.stateFile, state);
    interrupted(opts.signal);
    say(`creating ${nodes} kwok node(s) and the shop namespace…`);
    const { kc } = await loadKube(p);
    const created = await ensureObjects(kc, [...nodeObjects(refs, state.world.instances, SANDBOX_REGION, state.world.privateIps), ...worldObjects()]);
    state.seeded.kube = true;
    writeJsonAtomic(p.stateFile, state);
    say('waiting for the nodes and the shop deployments to be Ready…');
    await waitFor(
      async () => {
        const k = await kubeSummary(p);
        const want = (name: string) => `${DEMO_APPS.find((a) => a.name === name)?.replicas}/${DEMO_APPS.find((a) => a.name === name)?.replicas}`;
        return k?.nodesReady === nodes && k.checkoutReady === want('checkout') && k.catalogReady === want('catalog');
      },
      120_000,
      'the nodes and the shop deployments to be Ready',
      opts.signal,
    );
    state.ready = true;
    writeJsonAtomic(p.stateFile, state);
    const info = infoFor(p, state);
    writeJsonAtomic(p.environmentFile, environmentRegistration(info));
    return { info, reused: false, seconds: (Date.now() - started) / 1000, created };
  } catch (e) {
    say(opts.signal?.aborted ? 'interrupted: stopping what was started…' : 'start failed: stopping what was started…');
    await teardown(p, state, { keepLogs: !opts.signal?.aborted });
    if (e instanceof GamedayError) throw e;
    throw new GamedayError('BACKEND_FAILED', `sandbox start failed: ${(e as Error).message}`, { hint: 'run `gameday sandbox up --debug` for details', cause: e });
  }
}

/** True when a sandbox is recorded and every component answers. */
export async function sandboxHealthy(opts: { cache?: string } = {}): Promise<boolean> {
  const p = sandboxPaths(opts.cache);
  const s = readState(p);
  if (!s || !s.ready) return false;
  return (await componentHealth(p, s)).every((c) => c.healthy);
}

export const sandboxStateExists = (cache?: string): boolean => existsSync(sandboxPaths(cache).stateFile);
