/**
 * `gameday schedule export <scenario...> --env E --cron "0 14 * * 3" [--time-zone TZ] [--image REF]`:
 * the manifests of scheduled drills inside the cluster (src/core/schedule.ts) — the RBAC that
 * `gameday rbac` prints, and per scenario a ConfigMap and a CronJob — as YAML for
 * `kubectl apply -f -`. Touches no cluster. One --cron per scenario, in order: two drills of one
 * environment starting together would refuse each other.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getEnvironment } from '../../adapters/config-store.js';
import { readRegularFile } from '../../adapters/regular-file.js';
import { splitKeyValue, TOOLKIT_NAMESPACE } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import type { Scenario } from '../../core/scenario.js';
import { keeperObjectName, renderSchedule, type ScheduledDrill } from '../../core/schedule.js';
import { scenarioKubeAccess } from '../../drill/kube-access.js';
import { loadScenario } from '../../drill/scenario-file.js';
import { MAX_RUNBOOK_BYTES } from '../../drill/scenario-store.js';
import type { CommandContext, CommandOptions, CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { serviceAccountOption, toYaml } from './rbac.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
/** The image `scripts/build-image.sh` builds (and the sandbox imports); a registry's name with --image. */
export const DEFAULT_IMAGE = `gameday.local/gameday:${pkg.version}`;

export const run: CommandRun = async (ctx, args, opts) => {
  if (args[0] !== 'export') throw new GamedayError('INVALID_INPUT', `unknown schedule command ${args[0] ?? ''}`, { hint: 'gameday schedule export <scenario...> --env E --cron "0 14 * * 3"' });
  const refs = args.slice(1);
  const env = getEnvironment(ctx.config(), opts.env as string | undefined);
  const crons = cronsFor(refs, opts);
  const drills = await Promise.all(refs.map((ref, i) => scheduledDrill(ctx, ref, String(opts.dir ?? 'scenarios'), crons[i]!)));
  const serviceAccount = serviceAccountOption(opts);
  const image = String(opts.image ?? DEFAULT_IMAGE);
  const timeZone = opts.timeZone === undefined ? undefined : String(opts.timeZone);
  const nodeSelector = nodeSelectorOption(opts);
  const { docs, notes } = renderSchedule({ env, drills, accesses: drills.flatMap((d) => scenarioKubeAccess(d.scenario)), serviceAccount, image, timeZone, nodeSelector });
  ctx.out.line(`# Scheduled gameday drills on environment ${env.name}: ${drills.map((d) => `${d.scenario.id} ("${d.cron}"${timeZone ? ` ${timeZone}` : ''})`).join(', ')}`);
  ctx.out.line(`# apply: gameday schedule export ${refs.join(' ')} --env ${env.name} … | kubectl apply -f -`);
  const keeper = keeperObjectName(env.name);
  for (const d of docs.filter((x) => x.kind === 'CronJob' && (x.metadata as { name: string }).name !== keeper)) {
    const name = (d.metadata as { name: string }).name;
    ctx.out.line(`# run one now: kubectl -n ${TOOLKIT_NAMESPACE} create job --from=cronjob/${name} ${name.slice(0, 48)}-now`);
  }
  ctx.out.line(`# keeper: CronJob ${keeper} runs \`gameday recover --orphans --env ${env.name}\` every minute, so no fault outlives its drill's pod (docs/unattended.md)`);
  for (const n of notes) ctx.out.line(`# note: ${n}`);
  for (const d of docs) ctx.out.line(`---\n${toYaml(d)}`);
  return EXIT.ok;
};

/** --node-selector key=value, repeatable. */
function nodeSelectorOption(opts: CommandOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of (opts.nodeSelector as string[] | undefined) ?? []) {
    if (!/^[^=\s]+=[^=\s]*$/.test(kv)) throw new GamedayError('INVALID_INPUT', `--node-selector "${kv}": write key=value`, { hint: 'e.g. --node-selector kubernetes.io/os=linux' });
    const [k, v] = splitKeyValue(kv);
    out[k] = v;
  }
  return out;
}

/** One --cron per scenario, or one for a single scenario. */
function cronsFor(refs: string[], opts: CommandOptions): string[] {
  const crons = (opts.cron as string[] | undefined) ?? [];
  if (!refs.length) throw new GamedayError('INVALID_INPUT', 'no scenario to schedule', { hint: 'gameday schedule export <scenario...> --env E --cron "0 14 * * 3"' });
  if (crons.length !== refs.length) {
    throw new GamedayError('INVALID_INPUT', `${refs.length} scenario(s) and ${crons.length} --cron: give one --cron per scenario, in the same order`, { hint: 'two drills of one environment at the same time would refuse each other (one drill at a time)' });
  }
  return crons;
}

async function scheduledDrill(ctx: CommandContext, ref: string, dir: string, cron: string): Promise<ScheduledDrill & { scenario: Scenario }> {
  const { file, scenario, root } = await loadScenario(ref, { dir, cwd: ctx.cwd });
  const runbook = scenario.runbook?.split('#')[0];
  return {
    scenario,
    cron,
    scenarioText: readRegularFile(file, { what: 'scenario file', maxBytes: 1024 * 1024 }).toString('utf8'),
    // a missing runbook is validate's business (it warns); the drill runs without it, as on a laptop
    runbookText: runbook ? readOptional(resolve(root, runbook)) : undefined,
  };
}

function readOptional(file: string): string | undefined {
  try {
    return readRegularFile(file, { what: 'runbook', maxBytes: MAX_RUNBOOK_BYTES }).toString('utf8');
  } catch {
    return undefined;
  }
}
