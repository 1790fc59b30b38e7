/**
 * Scheduled drills inside the cluster: the manifests `gameday schedule export` prints for
 * `kubectl apply -f -` — the drills' least-privilege RBAC (renderRbac, the same objects `gameday
 * rbac` prints), and per scenario a ConfigMap (the scenario, its runbook, a gameday.yaml for the
 * environment as seen from a pod) and a CronJob whose pod runs `gameday run <id> --env <env> --yes`
 * as the generated ServiceAccount, with the journal in the cluster (`journal: cluster`) so every
 * facilitator machine sees, halts and reports the drill. Pure: the caller reads the files.
 */
import { stringify } from 'yaml';
import { cronProblem, isTimeZone } from './cron.js';
import { TOOLKIT_NAMESPACE, type Environment } from './environment.js';
import { GamedayError } from './errors.js';
import { CLUSTER_JOURNAL_ACCESS, renderRbac, type KubeAccess } from './kube-access.js';
import { DEFAULT_TIME_LIMIT_MS, type Scenario } from './scenario.js';

type Obj = Record<string, unknown>;

/** Added to the scenario's time limit for the Job's activeDeadlineSeconds: preflight, reverts, the final steady-state wait. */
export const DEADLINE_MARGIN_S = 300;
/** The pod's grace after SIGTERM (activeDeadlineSeconds or a deleted Job): `run` reverts every active fault on SIGTERM. */
export const TERMINATION_GRACE_S = 90;
/** A run missed by more than this (controller down, node pressure) is skipped, not started late when nobody expects it. */
export const STARTING_DEADLINE_S = 600;
/** Where the pod mounts the ConfigMap (its working directory: gameday.yaml, scenarios/, runbooks/). */
export const DRILL_DIR = '/drill';
/** The only writable path in the pod (an emptyDir): HOME, the state directory, caches. */
export const SCRATCH_DIR = '/tmp';
/** The image's user (not root; readOnlyRootFilesystem). */
export const DRILL_UID = 65532;

export const SCHEDULE_LABELS = { 'app.kubernetes.io/managed-by': 'gameday', 'app.kubernetes.io/part-of': 'gameday', 'app.kubernetes.io/component': 'scheduled-drill' } as const;

export interface ScheduledDrill {
  scenario: Pick<Scenario, 'id' | 'timeLimit' | 'runbook'>;
  /** the scenario file's text, as written */
  scenarioText: string;
  /** the runbook file's text (the scenario's `runbook` without its #anchor), when there is one */
  runbookText?: string;
  cron: string;
}

export interface ScheduleOptions {
  env: Environment;
  drills: ScheduledDrill[];
  /** every drill's Kubernetes access (scenarioKubeAccess of each) */
  accesses: KubeAccess[];
  serviceAccount: string;
  image: string;
  timeZone?: string;
  /** where the drill's pod may run (e.g. a system node pool), as a pod's nodeSelector */
  nodeSelector?: Record<string, string>;
}

export interface RenderedSchedule {
  docs: Obj[];
  /** what was changed or left out of the environment for the pod, for the output's header */
  notes: string[];
}

/** The checks a user can get wrong, each a one-line error (exit 2). */
export function checkSchedule(opts: Pick<ScheduleOptions, 'env' | 'drills' | 'timeZone'>): void {
  const bad = (message: string, hint: string) => new GamedayError('INVALID_INPUT', message, { hint });
  if (opts.env.critical) throw bad(`environment "${opts.env.name}" is critical: drills are refused there, scheduled or not`, 'schedule drills on a non-critical environment (critical: false in gameday.yaml)');
  for (const d of opts.drills) {
    const problem = cronProblem(d.cron);
    if (problem) throw bad(`--cron "${d.cron}" (${d.scenario.id}): ${problem}`, 'five fields, e.g. "0 14 * * 3" (Wednesdays at 14:00)');
  }
  const crons = new Map<string, string>();
  for (const d of opts.drills) {
    const other = crons.get(d.cron.trim().replace(/\s+/g, ' '));
    if (other) throw bad(`${other} and ${d.scenario.id} would start at the same time ("${d.cron}") on environment "${opts.env.name}": the second would be refused (one drill at a time)`, 'give each scenario its own --cron, in the order of the scenarios');
    crons.set(d.cron.trim().replace(/\s+/g, ' '), d.scenario.id);
  }
  if (opts.timeZone !== undefined && !isTimeZone(opts.timeZone)) throw bad(`--time-zone "${opts.timeZone}" is not a time zone`, 'write an IANA name, e.g. Europe/Dublin or UTC');
}

export function renderSchedule(opts: ScheduleOptions): RenderedSchedule {
  checkSchedule(opts);
  const { config, notes } = inClusterConfig(opts.env);
  const docs: Obj[] = renderRbac([...opts.accesses, ...CLUSTER_JOURNAL_ACCESS], { serviceAccount: opts.serviceAccount });
  for (const drill of opts.drills) {
    const name = drillObjectName(opts.env.name, drill.scenario.id);
    docs.push(drillConfigMap(name, opts.env.name, drill, config), drillCronJob(name, drill, opts));
  }
  const keeper = keeperObjectName(opts.env.name);
  docs.push(keeperConfigMap(keeper, opts.env.name, config), keeperCronJob(keeper, opts));
  return { docs, notes };
}

/** `gameday-<env>-<scenario>`, at most 52 characters (a CronJob's limit: its Jobs add 11), still unique. */
export const drillObjectName = (env: string, scenarioId: string): string => shortName(`gameday-${env}-${scenarioId}`);

/** `gameday-keeper-<env>`: the environment's keeper (a prefix no scenario's object can have). */
export const keeperObjectName = (env: string): string => shortName(`gameday-keeper-${env}`);

function shortName(full: string): string {
  if (full.length <= 52) return full;
  let h = 0;
  for (const c of full) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return `${full.slice(0, 45).replace(/-+$/, '')}-${h.toString(36).slice(0, 6)}`;
}

const labelsFor = (env: string, scenarioId: string) => ({ ...SCHEDULE_LABELS, 'gameday.dev/env': env, 'gameday.dev/scenario': scenarioId });

interface DrillFile {
  /** ConfigMap keys cannot hold "/": each file gets a flat key, and the volume maps it to its path */
  key: string;
  path: string;
  text: (config: Obj) => string;
}

/** The files of a drill's working directory: gameday.yaml, the scenario, and its runbook when there is one. */
function drillFiles(drill: ScheduledDrill): DrillFile[] {
  const files: DrillFile[] = [
    { key: 'gameday.yaml', path: 'gameday.yaml', text: (config) => stringify(config, { lineWidth: 0 }) },
    { key: `scenario.${drill.scenario.id}.yaml`, path: `scenarios/${drill.scenario.id}.yaml`, text: () => drill.scenarioText },
  ];
  const runbook = drill.scenario.runbook?.split('#')[0];
  // a volume item's path must stay inside the volume (no "..", not absolute): such a runbook stays out
  const inside = runbook !== undefined && !runbook.startsWith('/') && !runbook.split('/').includes('..');
  if (inside && drill.runbookText !== undefined) files.push({ key: `runbook.${runbook.replace(/[^-._a-zA-Z0-9]/g, '_')}`, path: runbook, text: () => drill.runbookText! });
  return files;
}

/** The API server refuses a ConfigMap over 1 MiB (etcd's object limit); leave room for metadata. */
export const MAX_CONFIGMAP_BYTES = 1_000_000;

function drillConfigMap(name: string, env: string, drill: ScheduledDrill, config: Obj): Obj {
  const files = drillFiles(drill).map((f) => ({ key: f.key, text: f.text(config) }));
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.key) + Buffer.byteLength(f.text), 0);
  if (bytes > MAX_CONFIGMAP_BYTES) {
    throw new GamedayError('INVALID_INPUT', `${drill.scenario.id}: its scenario, runbook and config are ${bytes} bytes, more than a ConfigMap holds (${MAX_CONFIGMAP_BYTES})`, { hint: 'shorten the runbook, or link a smaller one from the scenario' });
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: TOOLKIT_NAMESPACE, labels: labelsFor(env, drill.scenario.id) },
    data: Object.fromEntries(files.map((f) => [f.key, f.text])),
  };
}

function drillCronJob(name: string, drill: ScheduledDrill, opts: ScheduleOptions): Obj {
  const labels = labelsFor(opts.env.name, drill.scenario.id);
  const timeLimitS = Math.ceil((drill.scenario.timeLimit ?? DEFAULT_TIME_LIMIT_MS) / 1000);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: TOOLKIT_NAMESPACE, labels, annotations: { 'gameday.dev/why': `gameday run ${drill.scenario.id} --env ${opts.env.name} --yes, unattended, on "${drill.cron}"${opts.timeZone ? ` (${opts.timeZone})` : ''}` } },
    spec: {
      schedule: drill.cron.trim(),
      ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
      // never two drills of this CronJob at once (the environment's lease refuses the second anyway)
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: STARTING_DEADLINE_S,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
      jobTemplate: {
        metadata: { labels },
        spec: {
          // a drill is never retried: a second run would break the system again, unasked
          backoffLimit: 0,
          activeDeadlineSeconds: timeLimitS + DEADLINE_MARGIN_S,
          template: { metadata: { labels }, spec: drillPodSpec(name, drill, opts) },
        },
      },
    },
  };
}

/**
 * The keeper: every minute, `gameday recover --orphans --env <env>` reverts the faults of drills
 * whose pod is gone (it stopped renewing the environment's Lease: SIGKILLed, evicted, its node
 * lost) or that are past their deadline — so no fault outlives its drill's pod by more than the
 * Lease (60 s) and a minute. Live drills are never touched.
 */
export const KEEPER_SCHEDULE = '* * * * *';
/** A keeper run reverts with bounded calls; one that takes longer than this is stuck and replaced by the next. */
export const KEEPER_DEADLINE_S = 300;

const keeperLabels = (env: string) => ({ ...SCHEDULE_LABELS, 'app.kubernetes.io/component': 'keeper', 'gameday.dev/env': env });

function keeperConfigMap(name: string, env: string, config: Obj): Obj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: TOOLKIT_NAMESPACE, labels: keeperLabels(env) }, data: { 'gameday.yaml': stringify(config, { lineWidth: 0 }) } };
}

function keeperCronJob(name: string, opts: ScheduleOptions): Obj {
  const labels = keeperLabels(opts.env.name);
  const args = ['recover', '--orphans', '--env', opts.env.name];
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: TOOLKIT_NAMESPACE, labels, annotations: { 'gameday.dev/why': `gameday ${args.join(' ')}, every minute: no fault outlives its drill's pod` } },
    spec: {
      schedule: KEEPER_SCHEDULE,
      concurrencyPolicy: 'Forbid',
      // a missed minute is not made up later: the next one does the same work
      startingDeadlineSeconds: 50,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: KEEPER_DEADLINE_S,
          // finished keeper Jobs go away: one a minute would otherwise pile up until the history limit trims them
          ttlSecondsAfterFinished: 600,
          template: { metadata: { labels }, spec: podSpec({ name, args, items: [{ key: 'gameday.yaml', path: 'gameday.yaml' }], resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '1', memory: '384Mi' } } }, opts) },
        },
      },
    },
  };
}

function drillPodSpec(name: string, drill: ScheduledDrill, opts: ScheduleOptions): Obj {
  return podSpec(
    {
      name,
      args: ['run', drill.scenario.id, '--env', opts.env.name, '--yes'],
      items: drillFiles(drill).map((f) => ({ key: f.key, path: f.path })),
      // measured: one drill (checkout-pod-kill, journal: cluster) peaks at 117 MiB RSS and 0.8 s of CPU on Node 22
      resources: { requests: { cpu: '100m', memory: '160Mi' }, limits: { cpu: '1', memory: '384Mi' } },
    },
    opts,
  );
}

interface PodParts {
  /** the ConfigMap mounted as the working directory */
  name: string;
  args: string[];
  items: { key: string; path: string }[];
  resources: Obj;
}

/** A gameday pod: non-root, read-only root, no privileges, the ConfigMap as its working directory. */
function podSpec(parts: PodParts, opts: ScheduleOptions): Obj {
  return {
    serviceAccountName: opts.serviceAccount,
    restartPolicy: 'Never',
    terminationGracePeriodSeconds: TERMINATION_GRACE_S,
    ...(opts.nodeSelector && Object.keys(opts.nodeSelector).length ? { nodeSelector: opts.nodeSelector } : {}),
    securityContext: { runAsNonRoot: true, runAsUser: DRILL_UID, runAsGroup: DRILL_UID, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'drill',
        image: opts.image,
        imagePullPolicy: 'IfNotPresent',
        args: parts.args,
        workingDir: DRILL_DIR,
        env: [
          { name: 'HOME', value: SCRATCH_DIR },
          { name: 'NO_COLOR', value: '1' },
        ],
        resources: parts.resources,
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        volumeMounts: [
          { name: 'drill', mountPath: DRILL_DIR, readOnly: true },
          { name: 'scratch', mountPath: SCRATCH_DIR },
        ],
      },
    ],
    volumes: [
      { name: 'drill', configMap: { name: parts.name, items: parts.items } },
      { name: 'scratch', emptyDir: { sizeLimit: '64Mi' } },
    ],
  };
}

const durationText = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
const isLoopback = (hostOrUrl: string): boolean => /^(https?:\/\/)?(127\.|localhost\b|\[?::1\]?)/i.test(hostOrUrl);

/**
 * The environment as a pod in its own cluster sees it: the API server through the pod's
 * ServiceAccount (`kube: {}` — no kubeconfig, no context), the journal in the cluster, the state
 * directory in the scratch volume. What only made sense on the facilitator's machine (an AWS
 * profile, addresses on 127.0.0.1) is left out and said so.
 */
export function inClusterConfig(env: Environment): { config: Obj; notes: string[] } {
  const notes: string[] = [];
  const out: Obj = { ...(env.description ? { description: env.description } : {}), critical: false, kube: {}, journal: 'cluster', guards: env.guards };
  if (env.kube?.kubeconfig || env.kube?.context) notes.push('kube: the pod talks to its own cluster as the ServiceAccount (no kubeconfig, no context)');
  if (env.aws) {
    if (env.aws.endpoint && isLoopback(env.aws.endpoint)) notes.push(`aws: left out (its endpoint ${env.aws.endpoint} is on this machine, out of the pod's reach)`);
    else {
      out.aws = { region: env.aws.region, ...(env.aws.endpoint ? { endpoint: env.aws.endpoint } : {}), ...(env.aws.hostedZones ? { hostedZones: env.aws.hostedZones } : {}) };
      if (env.aws.profile) notes.push(`aws: profile "${env.aws.profile}" left out: credentials come from the pod's identity (IRSA or EKS Pod Identity on the ServiceAccount)`);
    }
  }
  const resolve = Object.entries(env.resolve ?? {}).filter(([host, addr]) => {
    if (isLoopback(addr)) notes.push(`resolve: ${host} → ${addr} left out (an address on this machine); the pod resolves ${host} itself`);
    return !isLoopback(addr);
  });
  if (resolve.length) out.resolve = Object.fromEntries(resolve);
  if (env.notify) out.notify = { webhook: env.notify.webhook, ...(env.notify.timeout ? { timeout: durationText(env.notify.timeout) } : {}) };
  out.defaultDuration = durationText(env.defaultDuration);
  out.maxDuration = durationText(env.maxDuration);
  return { config: { stateDir: `${SCRATCH_DIR}/gameday`, environments: { [env.name]: out } }, notes };
}
