/**
 * `gameday schedule export` through the command table, in-process: the flags as a user types them,
 * one-line errors with exit 2, and YAML that kubectl can read (several documents, no aliases).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { gamedayInProcess } from '../../helpers/in-process-cli.js';

const SCENARIOS = resolve(import.meta.dirname, '../../../scenarios');
let dir = '';
const cacheBefore = process.env.GAMEDAY_CACHE;
const gd = (...args: string[]) => gamedayInProcess(['schedule', 'export', ...args, '--dir', SCENARIOS], { cwd: dir });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gd-schedule-cli-'));
  writeFileSync(join(dir, 'gameday.yaml'), 'environments:\n  staging:\n    critical: false\n    kube: { context: staging }\n  shared:\n    critical: false\n    kube: { context: shared }\n    journal: cluster\n  prod:\n    critical: true\n');
  process.env.GAMEDAY_CACHE = join(dir, 'cache'); // no sandbox registration from the machine
});
afterAll(() => {
  if (cacheBefore === undefined) delete process.env.GAMEDAY_CACHE;
  else process.env.GAMEDAY_CACHE = cacheBefore;
  rmSync(dir, { recursive: true, force: true });
});

describe('gameday schedule export', () => {
  it('prints the RBAC, a ConfigMap and a CronJob per scenario, one --cron each, as plain YAML documents', async () => {
    const r = await gd('checkout-pod-kill', 'catalog-scaled-to-zero', '--env', 'staging', '--cron', '0 14 * * 3', '--cron', '30 14 * * 3', '--node-selector', 'pool=system');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[&*]a\d/); // no YAML anchors or aliases
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; spec?: { schedule?: string; jobTemplate?: { spec: { template: { spec: { nodeSelector?: object } } } } } });
    const cronJobs = docs.filter((d) => d.kind === 'CronJob');
    // the scenarios' own, then the environment's keeper (every minute)
    expect(cronJobs.map((c) => c.spec!.schedule)).toEqual(['0 14 * * 3', '30 14 * * 3', '* * * * *']);
    expect(cronJobs[0]!.spec!.jobTemplate!.spec.template.spec.nodeSelector).toEqual({ pool: 'system' });
    expect(docs.filter((d) => d.kind === 'ConfigMap')).toHaveLength(3);
    expect(r.stdout).toContain('# run one now: kubectl -n gameday-system create job --from=cronjob/gameday-staging-checkout-pod-kill');
    expect(r.stdout).not.toContain('create job --from=cronjob/gameday-keeper-staging');
    expect(r.stdout).toContain('# keeper: CronJob gameday-keeper-staging runs `gameday recover --orphans --env staging` every minute');
  });

  it.each([
    [['checkout-pod-kill', '--env', 'staging', '--cron', '0 14 * *'], /^error: --cron "0 14 \* \*" \(checkout-pod-kill\): 4 fields/],
    [['checkout-pod-kill', 'catalog-scaled-to-zero', '--env', 'staging', '--cron', '0 14 * * 3'], /^error: 2 scenario\(s\) and 1 --cron/],
    [['checkout-pod-kill', '--env', 'staging', '--cron', '0 14 * * 3', '--time-zone', 'Europe/Dubln'], /^error: --time-zone "Europe\/Dubln" is not a time zone/],
    [['no-such-drill', '--env', 'staging', '--cron', '0 14 * * 3'], /^error: no scenario "no-such-drill"/],
    [['checkout-pod-kill', '--env', 'nowhere', '--cron', '0 14 * * 3'], /^error: unknown environment "nowhere"/],
    [['checkout-pod-kill', '--env', 'prod', '--cron', '0 14 * * 3'], /^error: environment "prod" is critical/],
    [['checkout-pod-kill', '--env', 'staging', '--cron', '0 14 * * 3', '--node-selector', 'pool'], /^error: --node-selector "pool": write key=value/],
  ])('%j: one line and a hint, exit 2', async (args, message) => {
    const r = await gd(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const [first, hint, ...rest] = r.stderr.trimEnd().split('\n');
    expect(first).toMatch(message);
    expect(hint).toMatch(/^hint: /);
    expect(rest).toEqual([]);
  });
});

describe('gameday rbac --env', () => {
  const rbac = (...args: string[]) => gamedayInProcess(['rbac', 'checkout-pod-kill', ...args, '--dir', SCENARIOS], { cwd: dir });
  type Role = { kind: string; metadata: { namespace?: string }; rules?: { resources: string[]; verbs: string[] }[] };
  const configMapRules = (stdout: string) =>
    parseAllDocuments(stdout)
      .map((d) => d.toJS() as Role)
      .filter((d) => d?.kind === 'Role' && d.metadata.namespace === 'gameday-system')
      .flatMap((r) => r.rules ?? [])
      .filter((r) => r.resources.includes('configmaps'));

  it('an environment with journal: cluster adds the ConfigMaps of its journal, claims and halt flag; a file journal does not', async () => {
    const shared = await rbac('--env', 'shared');
    expect(shared.code, shared.stderr).toBe(0);
    expect(configMapRules(shared.stdout)).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'delete', 'get', 'list', 'update'] }]);
    const staging = await rbac('--env', 'staging');
    expect(configMapRules(staging.stdout)).toEqual([]);
    const none = await rbac();
    expect(configMapRules(none.stdout)).toEqual([]);
    expect(none.stdout).toContain('# for an environment with journal: cluster, add --env <name>');
    const unknown = await rbac('--env', 'nowhere');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toContain('nowhere');
  });
});
