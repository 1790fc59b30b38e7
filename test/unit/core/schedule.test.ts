import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cronProblem, isTimeZone } from '../../../src/core/cron.js';
import { configSpec, environmentSpec, type Environment } from '../../../src/core/environment.js';
import { isGamedayError } from '../../../src/core/errors.js';
import { CLUSTER_JOURNAL_ACCESS, DRILL_LEASE_ACCESS } from '../../../src/core/kube-access.js';
import { DEADLINE_MARGIN_S, KEEPER_SCHEDULE, drillObjectName, inClusterConfig, keeperObjectName, renderSchedule, type ScheduleOptions } from '../../../src/core/schedule.js';

describe('cronProblem: what a CronJob accepts', () => {
  it.each(['0 14 * * 3', '*/15 9-17 * * mon-fri', '0 0 1,15 * ?', '30 6 * jan-mar SUN', '5 4 * * 0', '0 10-16/2 * * 1-5', '@weekly', '@Hourly', '  0 14 * * 3  '])('%s is valid', (expr) => {
    expect(cronProblem(expr)).toBeUndefined();
  });
  it.each([
    ['', 'empty'],
    ['0 14 * *', '4 fields'],
    ['0 14 * * 3 2026', '6 fields'],
    ['60 * * * *', 'minute "60"'],
    ['0 24 * * *', 'hour "24"'],
    ['0 0 0 * *', 'day of month "0"'],
    ['0 0 * 13 *', 'month "13"'],
    ['0 0 * * 7', 'day of week "7"'],
    ['0 0 * * wed-mon', 'runs backwards'],
    ['*/0 * * * *', 'step of 0'],
    ['*/x * * * *', 'step "x"'],
    ['1/2/3 * * * *', 'two steps'],
    ['? * * * *', 'minute "?"'],
    ['0 0 * * funday', '"funday"'],
    ['@every 1h', 'unknown descriptor'],
    ['CRON_TZ=UTC 0 0 * * *', 'use --time-zone'],
    ['TZ=Europe/Dublin 0 0 * * *', 'use --time-zone'],
  ])('%j is refused: %s', (expr, words) => {
    expect(cronProblem(expr)).toContain(words);
  });
  it('time zones: IANA names as the API server spells them', () => {
    expect(isTimeZone('Europe/Dublin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('europe/dublin')).toBe(false);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

const staging = (over: Record<string, unknown> = {}): Environment => ({
  ...environmentSpec.parse({ critical: false, kube: { context: 'staging', kubeconfig: '~/.kube/staging' }, aws: { region: 'eu-west-1', profile: 'staging' }, guards: { maxPercent: 40 }, ...over }),
  name: 'staging',
});

const opts = (over: Partial<ScheduleOptions> = {}): ScheduleOptions => ({
  env: staging(),
  drills: [{ scenario: { id: 'checkout-pod-kill', timeLimit: 20 * 60_000, runbook: 'runbooks/checkout-pods.md#not-ready' }, scenarioText: 'id: checkout-pod-kill\n', runbookText: '# Checkout pods\n', cron: '0 14 * * 3' }],
  accesses: [...DRILL_LEASE_ACCESS, { namespace: 'shop', apiGroup: '', resource: 'pods', verbs: ['delete', 'list', 'watch'], why: 'kill' }],
  serviceAccount: 'gameday-drills',
  image: 'registry.example/gameday:0.1.0',
  timeZone: 'Europe/Dublin',
  ...over,
});

type Doc = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown };
const kindsOf = (docs: Doc[]) => docs.map((d) => `${d.kind} ${d.metadata.namespace ?? ''}/${d.metadata.name}`);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const cronJob = (docs: Doc[]): any => docs.find((d) => d.kind === 'CronJob');

describe('renderSchedule', () => {
  it('the RBAC of `gameday rbac` (plus the cluster journal), then a ConfigMap and a CronJob per scenario, all in gameday-system and marked', () => {
    const docs = renderSchedule(opts()).docs as Doc[];
    expect(kindsOf(docs)).toEqual([
      'Namespace /gameday-system',
      'ServiceAccount gameday-system/gameday-drills',
      'Role gameday-system/gameday-drills',
      'RoleBinding gameday-system/gameday-drills',
      'Role shop/gameday-drills',
      'RoleBinding shop/gameday-drills',
      'ConfigMap gameday-system/gameday-staging-checkout-pod-kill',
      'CronJob gameday-system/gameday-staging-checkout-pod-kill',
      'ConfigMap gameday-system/gameday-keeper-staging',
      'CronJob gameday-system/gameday-keeper-staging',
    ]);
    for (const d of docs) expect(d.metadata.labels?.['app.kubernetes.io/managed-by'], `${d.kind} ${d.metadata.name}`).toBe('gameday');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const toolkitRole = docs.find((d) => d.kind === 'Role' && d.metadata.namespace === 'gameday-system') as any;
    expect(toolkitRole.rules).toContainEqual({ apiGroups: [''], resources: ['configmaps'], verbs: CLUSTER_JOURNAL_ACCESS[0]!.verbs });
  });

  it('the CronJob: Forbid, a starting deadline, the time zone, history limits, never retried, a deadline past the time limit, runs `run --yes` as the ServiceAccount', () => {
    const cj = cronJob(renderSchedule(opts()).docs as Doc[]);
    expect(cj.spec).toMatchObject({ schedule: '0 14 * * 3', timeZone: 'Europe/Dublin', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 600, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 5 });
    const job = cj.spec.jobTemplate.spec;
    expect(job.backoffLimit).toBe(0);
    expect(job.activeDeadlineSeconds).toBe(20 * 60 + DEADLINE_MARGIN_S);
    const pod = job.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.serviceAccountName).toBe('gameday-drills');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const [c] = pod.containers;
    expect(c.image).toBe('registry.example/gameday:0.1.0');
    expect(c.args).toEqual(['run', 'checkout-pod-kill', '--env', 'staging', '--yes']);
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(job.template.metadata.labels['gameday.dev/scenario']).toBe('checkout-pod-kill');
  });

  it('a scenario without timeLimit gets the drill default (30 min) plus the margin; no --time-zone: no timeZone field', () => {
    const o = opts({ timeZone: undefined });
    o.drills[0]!.scenario = { id: 'x', timeLimit: undefined, runbook: undefined };
    const cj = cronJob(renderSchedule(o).docs as Doc[]);
    expect(cj.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(30 * 60 + DEADLINE_MARGIN_S);
    expect(cj.spec).not.toHaveProperty('timeZone');
  });

  it('the ConfigMap holds the scenario, its runbook (without the anchor) and a gameday.yaml; the volume puts each at its path', () => {
    const docs = renderSchedule(opts()).docs as Doc[];
    const cm = docs.find((d) => d.kind === 'ConfigMap') as Doc & { data: Record<string, string> };
    for (const key of Object.keys(cm.data)) expect(key).toMatch(/^[-._a-zA-Z0-9]+$/); // what the API server allows as a key
    const volume = cronJob(docs).spec.jobTemplate.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'drill');
    const byPath = Object.fromEntries(volume.configMap.items.map((i: { key: string; path: string }) => [i.path, cm.data[i.key]]));
    expect(byPath['scenarios/checkout-pod-kill.yaml']).toBe('id: checkout-pod-kill\n');
    expect(byPath['runbooks/checkout-pods.md']).toBe('# Checkout pods\n');
    const config = configSpec.parse(parse(byPath['gameday.yaml']));
    expect(config.environments.staging).toMatchObject({ critical: false, kube: {}, journal: 'cluster', guards: { maxPercent: 40 } });
  });

  it('a runbook outside the scenario folder ("..", absolute) is left out: a volume item may not leave its volume', () => {
    for (const runbook of ['../shared/runbook.md', '/etc/runbook.md']) {
      const o = opts();
      o.drills[0]!.scenario = { ...o.drills[0]!.scenario, runbook };
      const docs = renderSchedule(o).docs as Doc[];
      const items = cronJob(docs).spec.jobTemplate.spec.template.spec.volumes[0].configMap.items as { path: string }[];
      expect(items.map((i) => i.path)).toEqual(['gameday.yaml', 'scenarios/checkout-pod-kill.yaml']);
    }
  });

  it('one-line errors: a bad cron, two drills at the same minute, a bad time zone, a critical environment', () => {
    const err = (o: ScheduleOptions) => {
      try {
        renderSchedule(o);
      } catch (e) {
        if (isGamedayError(e)) return `${e.code}: ${e.message}`;
        throw e;
      }
      return 'no error';
    };
    expect(err(opts({ drills: [{ ...opts().drills[0]!, cron: '0 25 * * 3' }] }))).toMatch(/^INVALID_INPUT: --cron "0 25 \* \* 3" \(checkout-pod-kill\): hour/);
    const two = opts().drills[0]!;
    expect(err(opts({ drills: [two, { ...two, scenario: { ...two.scenario, id: 'other' }, cron: '0  14 * * 3' }] }))).toContain('checkout-pod-kill and other would start at the same time');
    expect(err(opts({ timeZone: 'Nowhere/Land' }))).toContain('--time-zone "Nowhere/Land"');
    expect(err(opts({ env: staging({ critical: true }) }))).toContain('is critical');
    expect(err(opts({ drills: [{ ...two, runbookText: 'x'.repeat(1_000_001) }] }))).toContain('more than a ConfigMap holds');
    for (const e of [err(opts({ timeZone: 'Nowhere/Land' })), err(opts({ env: staging({ critical: true }) }))]) expect(e).not.toContain('\n');
  });

  it('the keeper: every minute, `recover --orphans --env` as the same ServiceAccount, with only gameday.yaml, never retried, its Jobs cleaned up', () => {
    const docs = renderSchedule(opts()).docs as Doc[];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const keeper = docs.find((d) => d.kind === 'CronJob' && d.metadata.name === keeperObjectName('staging')) as any;
    expect(keeper.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'keeper', 'gameday.dev/env': 'staging' });
    expect(keeper.spec).toMatchObject({ schedule: KEEPER_SCHEDULE, concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 1 });
    expect(keeper.spec).not.toHaveProperty('timeZone'); // every minute is every minute in any zone
    const job = keeper.spec.jobTemplate.spec;
    expect(job).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 600 });
    const pod = job.template.spec;
    expect(pod.serviceAccountName).toBe('gameday-drills');
    expect(pod.containers[0].args).toEqual(['recover', '--orphans', '--env', 'staging']);
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.volumes[0].configMap).toEqual({ name: keeperObjectName('staging'), items: [{ key: 'gameday.yaml', path: 'gameday.yaml' }] });
    const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === keeperObjectName('staging')) as Doc & { data: Record<string, string> };
    expect(configSpec.parse(parse(cm.data['gameday.yaml']!)).environments.staging).toMatchObject({ journal: 'cluster', kube: {} });
    // a scenario called "keeper" cannot take the keeper's name
    expect(drillObjectName('staging', 'keeper')).not.toBe(keeperObjectName('staging'));
  });

  it('names: gameday-<env>-<scenario>, at most 52 characters and still distinct', () => {
    expect(drillObjectName('staging', 'checkout-pod-kill')).toBe('gameday-staging-checkout-pod-kill');
    const a = drillObjectName('a-long-environment-name', 'a-very-long-scenario-identifier-one');
    const b = drillObjectName('a-long-environment-name', 'a-very-long-scenario-identifier-two');
    expect(a.length).toBeLessThanOrEqual(52);
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(a).not.toBe(b);
  });
});

describe('inClusterConfig: the environment as its pod sees it', () => {
  it('journal in the cluster, the pod’s own API access, the state directory in the scratch volume; the AWS profile left out and said so', () => {
    const { config, notes } = inClusterConfig(staging({ notify: { webhook: 'https://hooks.example/x', timeout: '3s' } }));
    const parsed = configSpec.parse(parse(JSON.stringify(config)));
    expect(parsed.stateDir).toBe('/tmp/gameday');
    expect(parsed.environments.staging).toMatchObject({ kube: {}, journal: 'cluster', aws: { region: 'eu-west-1' }, notify: { webhook: 'https://hooks.example/x', timeout: 3000 }, defaultDuration: 600_000 });
    expect(parsed.environments.staging!.aws).not.toHaveProperty('profile');
    expect(notes.join('\n')).toContain('profile "staging" left out');
  });
  it('addresses on the facilitator’s machine (the sandbox’s moto and front door) are left out, each with a note', () => {
    const env = staging({ aws: { region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' }, resolve: { 'www.shop.example': '127.0.0.1:8080', 'api.example': '10.0.0.5:80' } });
    const { config, notes } = inClusterConfig(env);
    const e = (config.environments as Record<string, Record<string, unknown>>).staging!;
    expect(e).not.toHaveProperty('aws');
    expect(e.resolve).toEqual({ 'api.example': '10.0.0.5:80' });
    expect(notes.filter((n) => n.includes('127.0.0.1'))).toHaveLength(2);
  });
});
