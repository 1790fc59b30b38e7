/**
 * `gameday iam [SCENARIO...] [--env E]`: the least AWS IAM policy for running these scenarios'
 * AWS faults and probes unattended (default: every AWS fault kind and probe type, for any target),
 * built from the injectors' and probes' own `awsAccess` declarations. `--format json` (default)
 * prints only the policy document, ready for `aws iam put-role-policy --policy-document file://…`,
 * and the notes on stderr; `--format text` prints a readable summary. Touches no AWS.
 *
 * A named scenario that needs no AWS access at all (no AWS fault, probe or alarm) is refused with
 * exit 2: a pipeline must not attach a policy that grants nothing by mistake; `gameday rbac` is
 * where its Kubernetes access is.
 */
import { getEnvironment } from '../../adapters/config-store.js';
import { MANAGED_POLICY_MAX_CHARS, policySize, renderIamPolicy, type IamPolicy, type IamPolicyOptions } from '../../core/aws-access.js';
import { guardSpec, splitKeyValue } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import type { Scenario } from '../../core/scenario.js';
import { catalogAwsAccess, scenarioAwsAccess } from '../../drill/aws-access.js';
import { loadScenario } from '../../drill/scenario-file.js';
import type { CommandContext, CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';

const ACCOUNT = /^\d{12}$/;

export const run: CommandRun = async (ctx, args, opts) => {
  const format = String(opts.format ?? 'json');
  if (format !== 'json' && format !== 'text') throw new GamedayError('INVALID_INPUT', `--format: "${format}" is not json or text`, { hint: 'json (the policy document) or text (a readable summary)' });
  const options = policyOptions(ctx, opts);
  const dir = String(opts.dir ?? 'scenarios');
  const scenarios = await Promise.all(args.map(async (ref) => (await loadScenario(ref, { dir, cwd: ctx.cwd })).scenario));
  const accesses = scenarios.length ? scenarios.flatMap(needingAws) : catalogAwsAccess();
  const policy = renderIamPolicy(accesses, options);
  const what = scenarios.length ? scenarios.map((s) => s.id).join(', ') : 'every AWS fault kind and probe type (any target)';
  const header = [
    `IAM policy for gameday drills: ${what}`,
    `opt-in tag ${options.optInTag.join('=')}, region ${options.region ?? '*'}, account ${options.account ?? '*'}`,
    ...sizeWarning(policy),
  ];
  if (format === 'json') {
    ctx.out.line(JSON.stringify(policy.document, null, 2));
    for (const l of [...header, ...policy.notes.map((n) => `${n.sid}: ${n.note}`)]) ctx.out.error(`# ${l}`);
  } else {
    for (const l of header) ctx.out.line(`# ${l}`);
    for (const l of policyText(policy)) ctx.out.line(l);
  }
  return EXIT.ok;
};

/** The opt-in tag and region of the environment when one is named, else the defaults and "*". */
function policyOptions(ctx: CommandContext, opts: Record<string, unknown>): IamPolicyOptions {
  const account = opts.account === undefined ? undefined : String(opts.account);
  if (account !== undefined && !ACCOUNT.test(account)) throw new GamedayError('INVALID_INPUT', `--account: "${account}" is not a 12-digit AWS account id`, { hint: 'aws sts get-caller-identity --query Account' });
  const env = opts.env === undefined ? undefined : getEnvironment(ctx.config(), String(opts.env));
  const optInTag = splitKeyValue(env?.guards.optInTag ?? guardSpec.parse({}).optInTag);
  return { optInTag, ...(env?.aws?.region ? { region: env.aws.region } : {}), ...(account ? { account } : {}) };
}

function needingAws(scenario: Scenario) {
  const accesses = scenarioAwsAccess(scenario);
  if (!accesses.length)
    throw new GamedayError('INVALID_INPUT', `${scenario.id} has no AWS faults, probes or alarms: its drills need no IAM policy`, { hint: `its Kubernetes access: gameday rbac ${scenario.id}` });
  return accesses;
}

function sizeWarning(policy: IamPolicy): string[] {
  const size = policySize(policy.document);
  return size > MANAGED_POLICY_MAX_CHARS ? [`${size} characters: more than a managed policy may hold (${MANAGED_POLICY_MAX_CHARS}); attach it inline to the role (10,240) or name fewer scenarios`] : [];
}

/** One block per statement: effect, actions, resources, conditions and the note. */
function policyText(policy: IamPolicy): string[] {
  const note = new Map(policy.notes.map((n) => [n.sid, n.note]));
  return policy.document.Statement.flatMap((s) => [
    '',
    `${s.Effect.toUpperCase()} ${s.Sid}`,
    `  actions:   ${s.Action.join(', ')}`,
    `  resources: ${s.Resource.join(', ')}`,
    ...Object.entries(s.Condition ?? {}).flatMap(([op, kv]) => Object.entries(kv).map(([k, v]) => `  when:      ${op} ${k} = ${v.join(' | ')}`)),
    `  why:       ${note.get(s.Sid) ?? ''}`,
  ]);
}
