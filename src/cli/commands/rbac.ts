/**
 * `gameday rbac [SCENARIO...]`: the least-privilege Kubernetes RBAC for running these scenarios
 * (default: the whole library) as a ServiceAccount — for a CronJob or a CI job's token. Prints
 * YAML for `kubectl apply -f -`; touches no cluster.
 */
import { Document, isScalar, visit } from 'yaml';
import { loadAllScenarios } from '../../drill/scenario-store.js';
import { CLUSTER_JOURNAL_ACCESS, renderRbac } from '../../core/kube-access.js';
import { getEnvironment } from '../../adapters/config-store.js';
import { stateOf } from '../state.js';
import { GamedayError } from '../../core/errors.js';
import { scenarioKubeAccess } from '../../drill/kube-access.js';
import { loadScenario } from '../../drill/scenario-file.js';
import type { CommandOptions, CommandRun } from '../context.js';
import type { Scenario } from '../../core/scenario.js';
import { EXIT } from '../exit-codes.js';

const SA_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const run: CommandRun = async (ctx, args, opts) => {
  const dir = String(opts.dir ?? 'scenarios');
  const name = serviceAccountOption(opts);
  const scenarios = await scenariosNamed(ctx.cwd, args, dir);
  // a drill journaling in the cluster also writes its journal, claims and halt flag there
  const env = opts.env === undefined ? undefined : getEnvironment(stateOf(ctx).config, String(opts.env));
  const clusterJournal = env?.journal === 'cluster';
  const docs = renderRbac([...scenarios.flatMap(scenarioKubeAccess), ...(clusterJournal ? CLUSTER_JOURNAL_ACCESS : [])], { serviceAccount: name });
  ctx.out.line(`# RBAC for gameday drills: ${scenarios.map((s) => s.id).join(', ')}`);
  ctx.out.line(`# apply: gameday rbac ${args.join(' ')}${args.length ? ' ' : ''}| kubectl apply -f -`);
  if (!env) ctx.out.line('# for an environment with journal: cluster, add --env <name>: its drills also need ConfigMaps in gameday-system');
  ctx.out.line(`# a token for a CI job: kubectl -n ${String((docs[1]!.metadata as { namespace: string }).namespace)} create token ${name} --duration 1h`);
  for (const d of docs) ctx.out.line(`---\n${toYaml(d)}`);
  return EXIT.ok;
};

/** --service-account, checked: the name of a Kubernetes object. */
export function serviceAccountOption(opts: CommandOptions): string {
  const name = String(opts.serviceAccount ?? 'gameday-drills');
  if (!SA_NAME.test(name) || name.length > 63) throw new GamedayError('INVALID_INPUT', `--service-account: "${name}" is not a valid name`, { hint: 'lower-case letters, digits and dashes, e.g. gameday-drills' });
  return name;
}

/** The scenarios named (ids or files), or the whole library when none is. */
export async function scenariosNamed(cwd: string, refs: string[], dir: string): Promise<Scenario[]> {
  if (refs.length) return Promise.all(refs.map(async (ref) => (await loadScenario(ref, { dir, cwd })).scenario));
  return (await loadAllScenarios(dir, cwd)).checks.map((c) => {
    if (!c.scenario) throw new GamedayError('INVALID_INPUT', `${c.file}: invalid scenario`, { hint: 'see `gameday validate`' });
    return c.scenario;
  });
}

/** YAML as people write RBAC: short lists of words inline (`verbs: [get, list]`). */
export function toYaml(obj: unknown): string {
  // no anchors and aliases for objects used twice (labels): kubectl users read every field in place
  const doc = new Document(obj, { aliasDuplicateObjects: false });
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 }).trimEnd();
}
