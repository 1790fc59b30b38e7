/**
 * The command table. Definitions (names, flags, help) live here so `--help` needs no command
 * module; each command's code is imported only when it runs. The one place that turns outcomes
 * into exit codes and prints errors (one line, plus a hint; stack traces only with --debug).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { LoadedConfig } from '../adapters/config-store.js';
import { describeError, isGamedayError } from '../core/errors.js';
import { clip } from '../core/text.js';
import type { CommandContext, CommandOptions, CommandRun, Output } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { isNotInLightBuild } from './light-build.js';
import { paint, processOutput, stdinIsTerminal } from './output.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** A command's module; `configFree` ones never read gameday.yaml, so its parser and schemas are not loaded for them. */
type Loader = () => Promise<{ run: CommandRun; configFree?: true }>;
const commands = {
  list: () => import('./commands/list.js'),
  show: () => import('./commands/show.js'),
  validate: () => import('./commands/validate.js'),
  inject: () => import('./commands/inject.js'),
  status: () => import('./commands/status.js'),
  halt: () => import('./commands/halt.js'),
  recover: () => import('./commands/recover.js'),
  'deadline-keeper': () => import('./commands/deadline-keeper.js'),
  plan: () => import('./commands/plan.js'),
  run: () => import('./commands/run.js'),
  report: () => import('./commands/report.js'),
  screen: () => import('./commands/screen.js'),
  sandbox: () => import('./commands/sandbox.js'),
  rbac: () => import('./commands/rbac.js'),
  iam: () => import('./commands/iam.js'),
  schedule: () => import('./commands/schedule.js'),
  history: () => import('./commands/history.js'),
  runbook: () => import('./commands/runbook.js'),
} satisfies Record<string, Loader>;

const collect = (v: string, prev: string[] = []) => [...prev, v];

type CommandName = keyof typeof commands;
/** The action of a command: dispatches the command by name with its positional arguments and options. */
type On = (name: CommandName, sub?: string) => (this: Command, ...rest: unknown[]) => Promise<void>;

export function buildProgram(dispatch: (name: CommandName, args: string[], opts: CommandOptions) => Promise<void>, out?: Output, argv?: readonly string[]): Command {
  const program = rootProgram(out);
  const on: On = (name, sub) =>
    function (this: Command, ...rest: unknown[]) {
      const cmd = rest[rest.length - 1] as Command;
      const args = cmd.args.slice(0, cmd.registeredArguments.length).map(String);
      // variadic positional arguments come as one array
      const flat = (rest.slice(0, cmd.registeredArguments.length) as (string | string[] | undefined)[]).flatMap((a) => (a === undefined ? [] : a));
      const positional = flat.length ? flat : args;
      return dispatch(name, sub ? [sub, ...positional] : positional, { ...program.opts(), ...cmd.opts() });
    };
  // A command line that starts with a command's name needs only that command: building the whole
  // table was a tenth of `gameday list`'s start-up (issue 15). Anything else — no command, a root
  // option first, `help`, an unknown or misspelt name (commander suggests the nearest) — gets it all.
  const named = argv?.[0] !== undefined ? registrations.get(argv[0]) : undefined;
  for (const register of named ? [named] : new Set(registrations.values())) register(program, on);
  program.addOption(new Option('--no-color', 'no colours (also NO_COLOR=1)').hideHelp());
  return program;
}

/**
 * `gameday --help` as commander prints it to a pipe (80 columns). scripts/bundle.mjs writes it
 * beside the bundle so that bin/gameday.js can print it without loading commander and building
 * the command table — a quarter of the command's start-up (issue 15). Generated from the same
 * table at every build, so it cannot drift; the CLI test compares the two.
 */
export function rootHelpText(): string {
  return buildProgram(async () => {})
    .configureHelp({ sortSubcommands: false, helpWidth: ROOT_HELP_WIDTH })
    .helpInformation();
}
export const ROOT_HELP_WIDTH = 80;

function rootProgram(out: Output | undefined): Command {
  const program = new Command('gameday')
    .description('Failure Wednesday game days: break a non-critical environment on purpose, on a clock, safely.')
    .version(pkg.version, '-V, --version')
    .option('-c, --config <file>', 'environments file (default ./gameday.yaml)')
    .option('--debug', 'show stack traces and causes')
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: false })
    .exitOverride();
  // usage errors go through the same output as everything else (tests run the CLI in-process)
  // (a usage error quotes what was typed: shortened, so a 5,000-character value is not echoed whole)
  if (out) program.configureOutput({ writeOut: (t) => out.write(t), writeErr: (t) => out.error(t.replace(/\n$/, '').split('\n').map((l) => clip(l, 300)).join('\n')), outputError: (t, write) => write(t) });
  return program;
}

/** How each top-level command is declared, in the order `gameday --help` lists them. */
type Register = (program: Command, on: On) => void;
const registrations = new Map<string, Register>([
  ['list', (program, on) => {
    program.command('list').description('list the scenario library (or, with --kinds, the fault kinds)').option('--json', 'machine-readable output').option('--kinds', 'list fault kinds instead of scenarios').option('--dir <dir>', 'scenario directory', 'scenarios').action(on('list'));
  }],
  ['show', (program, on) => {
    program.command('show').argument('<scenario>', 'scenario id or file').description("the facilitator's view of a scenario").option('--dir <dir>', 'scenario directory', 'scenarios').option('--runbook', 'print the runbook too').action(on('show'));
  }],
  ['runbook', (program, on) => {
    program.command('runbook').argument('<scenario>', 'scenario id, or a runbook section: runbooks/<file>.md#<heading>').description("print the runbook section a scenario links to, formatted for the terminal").option('--dir <dir>', 'scenario directory', 'scenarios').action(on('runbook'));
  }],
  ['validate', (program, on) => {
    program.command('validate').argument('[paths...]', 'files or directories (default: scenarios/)').description('check scenarios; report every problem as file:line:col').action(on('validate'));
  }],
  ['rbac', (program, on) => {
    program
      .command('rbac')
      .argument('[scenarios...]', 'scenario ids or files (default: the whole library)')
      .description('print least-privilege Kubernetes RBAC (ServiceAccount, Roles) for running these scenarios unattended')
      .option('--service-account <name>', 'the ServiceAccount to create', 'gameday-drills')
      .option('-e, --env <name>', 'the environment they run against (with journal: cluster, adds the ConfigMaps of its journal)')
      .option('--dir <dir>', 'scenario directory', 'scenarios')
      .action(on('rbac'));
  }],
  ['iam', (program, on) => {
    program
      .command('iam')
      .argument('[scenarios...]', 'scenario ids or files (default: every AWS fault kind and probe type, any target)')
      .description('print the least AWS IAM policy (JSON) for running these scenarios’ AWS faults and probes unattended')
      .option('-e, --env <name>', 'take the opt-in tag and region from this environment (default: gameday:enabled=true, any region)')
      .option('--account <id>', 'the AWS account id to put in resource ARNs (default: any)')
      .option('--format <format>', 'json (the policy document; notes on stderr) or text', 'json')
      .option('--dir <dir>', 'scenario directory', 'scenarios')
      .addHelpText(
        'after',
        [
          '',
          'Statements are grouped by service: actions on existing resources only while they carry the opt-in tag',
          '(aws:ResourceTag), read-only describe/list calls apart (AWS cannot scope them by tag), Route 53 by hosted',
          'zone ARN (it has no tag conditions), and explicit Denies on adding or changing the opt-in tag.',
          'A named scenario that needs no AWS access is refused (exit 2). Tested against moto with IAM enforced:',
          'moto checks the actions and explicit Denies, not resource ARNs or conditions (docs/iam.md).',
        ].join('\n'),
      )
      .action(on('iam'));
  }],
  ['schedule', (program, on) => {
    const schedule = program.command('schedule').description('drills on a schedule inside the cluster (a CronJob per scenario, journal in the cluster)');
    schedule
      .command('export')
      .argument('<scenarios...>', 'scenario ids or files')
      .description('print the RBAC, ConfigMaps and CronJobs of scheduled drills for kubectl apply -f -; touches no cluster')
      .requiredOption('-e, --env <name>', 'environment the drills run against (from inside its own cluster)')
      .requiredOption('--cron <schedule>', 'when, as a CronJob schedule, e.g. "0 14 * * 3"; one per scenario, in order', collect)
      .option('--time-zone <tz>', 'IANA time zone of the schedule (default: the controller’s, usually UTC)')
      .option('--image <ref>', 'the gameday image (see Dockerfile; default gameday.local/gameday:<version>)')
      .option('--node-selector <key=value>', 'run the drill pods only on these nodes (repeatable)', collect)
      .option('--service-account <name>', 'the ServiceAccount to create', 'gameday-drills')
      .option('--dir <dir>', 'scenario directory', 'scenarios')
      .action(on('schedule', 'export'));
  }],
  ['plan', (program, on) => {
    program
      .command('plan')
      .argument('<scenario>', 'scenario id or file')
      .description('resolve targets and show the blast radius, guards and revert plan; changes nothing')
      .requiredOption('-e, --env <name>', 'environment')
      .option('--dir <dir>', 'scenario directory', 'scenarios')
      .option('--json', 'machine-readable output')
      .option('--seed <n>', 'random seed for target choice')
      .action(on('plan'));
  }],
  ['run', (program, on) => {
    program
      .command('run')
      .argument('<scenario>', 'scenario id or file')
      .description('run a facilitated drill: preflight, briefing, inject, live clock, hints, marks, debrief')
      .requiredOption('-e, --env <name>', 'environment')
      .option('--dir <dir>', 'scenario directory', 'scenarios')
      .option('-y, --yes', 'take every default (unattended); required without a terminal')
      .option('--seed <n>', 'random seed for target choice')
      .option('--report <file>', 'also write the debrief report here (.md, .html, .json or .xml)')
      .option('--screen', "serve the room's screen (a read-only live page for the TV) while the drill runs")
      .option('--screen-host <host>', 'share the screen on this address (a token is added to its URL)')
      .option('--screen-port <port>', 'the screen’s port (default 8765; 0: any free port)')
      .action(on('run'));
  }],
  ['inject', (program, on) => {
    program
      .command('inject')
      .argument('<kind>', 'fault kind (see `gameday list --kinds`)')
      .description('inject one ad-hoc fault, journaled like a drill; returns once it is active and verified')
      .requiredOption('-e, --env <name>', 'environment')
      .option('-t, --target <k=v,...>', 'what to hit, e.g. namespace=shop,selector=app=checkout')
      .option('-p, --param <k=v>', 'injector parameter (repeatable)', collect, [])
      .option('-d, --duration <time>', 'deadline for a reversible fault, e.g. 5m (default: the environment’s)')
      .option('-w, --wait', 'stay attached with a countdown; revert on Ctrl-C or at the deadline')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--acknowledge-node-impact', 'required for node-level faults')
      .option('--seed <n>', 'random seed for target choice')
      .action(on('inject'));
  }],
  ['status', (program, on) => {
    program.command('status').description('active drills and faults, with age and expiry, from the journals').option('-e, --env <name>', 'only this environment').option('--json', 'machine-readable output').action(on('status'));
  }],
  ['history', (program, on) => {
    program
      .command('history')
      .description('every drill so far: results, scores, the team’s times, whether they are getting faster, and the action items per scenario with owners — open, or closed by a later drill whose debrief said they are done')
      .option('-s, --scenario <id>', 'only this scenario')
      .option('-e, --env <name>', 'only this environment')
      .option('--adhoc', 'include ad-hoc injects')
      .option('--json', 'machine-readable output')
      .option('-f, --format <fmt>', 'text, json or html (charts per scenario, objectives as lines)', 'text')
      .option('-o, --out <file>', 'write to a file instead of stdout')
      .action(on('history'));
  }],
  ['halt', (program, on) => {
    program
      .command('halt')
      .description('revert every active fault found in the journals and block new drills (one command stops everything)')
      .option('-e, --env <name>', 'only this environment (the halt flag still blocks it alone)')
      .option('--clear', 'clear the halt flag so drills may run again')
      .option('--reason <text>', 'why (kept with the flag)')
      .action(on('halt'));
  }],
  ['recover', (program, on) => {
    program
      .command('recover')
      .argument('[drill-id]', 'drill id (see `gameday status`)')
      .description('revert the active faults of one drill, from its journal; or, with --orphans, of every drill nobody is left to revert')
      .option('--orphans', 'every drill whose faults are past their deadline, or whose process stopped renewing the environment’s Lease or ended leaving faults active (the in-cluster keeper of `schedule export` runs this every minute)')
      .option('-e, --env <name>', 'with --orphans: only this environment')
      .action(on('recover'));
  }],
  ['screen', (program, on) => {
    program
      .command('screen')
      .argument('[drill-id]', 'drill id (default: the newest drill, and each newer one as it starts)')
      .description("the room's screen: a read-only live page of a drill for the TV (clock, briefing, revealed hints, marks, probes)")
      .option('--latest', 'the newest drill, moving to each newer one as it starts (the default without an id)')
      .option('--host <host>', 'share beyond this machine on this address (default 127.0.0.1); the URL then carries a token')
      .option('-p, --port <port>', 'port (default 8765; 0: any free port)')
      .option('--dir <dir>', 'scenario directory (briefings of drills journaled before the journal carried them)', 'scenarios')
      .action(on('screen'));
  }],
  ['report', (program, on) => {
    program.command('report').argument('<drill-id>', 'drill id').description('write the debrief report of a drill').option('-f, --format <fmt>', 'md, html, json, junit, or pdf (the HTML printed by Chromium, with --out)', 'md').option('-o, --out <file>', 'write to a file instead of stdout').action(on('report'));
  }],
  ['sandbox', (program, on) => {
    const sandbox = program.command('sandbox').description('the local practice sandbox: real Kubernetes control plane, real and kwok nodes, and a local AWS endpoint');
    sandbox
      .command('up')
      .description('start (and provision on first use) the sandbox; idempotent')
      .option('-n, --nodes <n>', 'number of kwok (simulated) nodes', '3')
      .option('-r, --real-nodes <n>', 'number of real nodes (containerd, kubelet, kube-proxy in network namespaces of their own); 0 = simulated only', '1')
      .action(on('sandbox', 'up'));
    sandbox
      .command('shell')
      .argument('[node]', 'a real node (default: the first)')
      .argument('[command...]', 'run this instead of an interactive shell (after --)')
      .description("a shell inside a real node's namespaces: iptables-save, crictl ps, curl, nslookup as the node sees them")
      .action(on('sandbox', 'shell'));
    sandbox
      .command('aws')
      .argument('[args...]', 'the AWS CLI command (after --), e.g. -- elbv2 describe-load-balancers --names shop-public')
      .description("the AWS CLI against the sandbox's local endpoint (region, dummy credentials and endpoint set), as the runbooks' aws commands are written")
      .action(on('sandbox', 'aws'));
    sandbox.command('status').description('health of each component').option('--json', 'machine-readable output').action(on('sandbox', 'status'));
    sandbox.command('down').description('stop every process the sandbox started and remove its state').action(on('sandbox', 'down'));
    sandbox.command('provision').description('build or fetch the binaries and the virtualenv into the cache, without starting anything').action(on('sandbox', 'provision'));
  }],
  // `_reap`: the name deadline keepers started by earlier versions were spawned with
  ['_keep-deadline', (program, on) => void program.command('_keep-deadline', { hidden: true }).alias('_reap').argument('<drill-id>').requiredOption('--at <epoch-ms>', 'deadline').action(on('deadline-keeper'))],
]);
registrations.set('_reap', registrations.get('_keep-deadline') as Register);

/**
 * The process entry (bin/gameday.js): signals become an abort of the command's signal. Ctrl-C
 * reverts; gameday never exits with faults still active.
 */
export async function main(argv: string[]): Promise<number> {
  const out = processOutput();
  const controller = new AbortController();
  let interrupts = 0;
  let running: CommandName | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts += 1;
    // halt and recover ARE the revert: a signal stops their waiting, it does not start another revert
    const stopsWaiting = running === 'halt' || running === 'recover';
    if (interrupts === 1) out.error(`\n${sig === 'SIGINT' ? 'Ctrl-C' : sig}: ${stopsWaiting ? 'stopping; what is not reverted yet stays active and is listed…' : 'stopping and reverting what is active…'}`);
    else out.error(stopsWaiting ? 'already stopping' : 'still reverting; gameday will exit as soon as every fault is reverted and journaled');
    controller.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  return runCommandLine(argv, {
    out,
    signal: controller.signal,
    cwd: process.cwd(),
    get stdinIsTTY() {
      return stdinIsTerminal();
    },
    onCommand: (name) => (running = name),
  });
}

/** One command line, start to exit code, with no process-wide side effects (tests call it in-process). */
export async function runCommandLine(argv: string[], io: { out: Output; signal: AbortSignal; cwd: string; stdinIsTTY: boolean; onCommand?: (name: keyof typeof commands) => void }): Promise<number> {
  const { out } = io;
  let exit: number = EXIT.ok;
  let debug = argv.includes('--debug');
  const dispatch = async (name: keyof typeof commands, args: string[], opts: CommandOptions) => {
    debug = Boolean(opts.debug);
    let loaded: LoadedConfig | undefined;
    const mod = await commands[name]();
    // loaded only for a command that may read the configuration: --help, --version and the
    // config-free commands (list, show, validate, runbook) never pay for zod and yaml
    const store = 'configFree' in mod && mod.configFree ? undefined : await import('../adapters/config-store.js');
    const ctx: CommandContext = {
      out,
      cwd: io.cwd,
      debug,
      configFile: opts.config as string | undefined,
      config: () => {
        if (!store) throw new Error(`${name} is declared config-free but read the configuration`);
        return (loaded ??= store.loadConfig({ configFile: opts.config as string | undefined, cwd: io.cwd }));
      },
      signal: io.signal,
      // asked when a command needs it (main's io answers on demand: see stdinIsTerminal)
      get stdinIsTTY() {
        return io.stdinIsTTY;
      },
    };
    io.onCommand?.(name); // how the process's signal handler words a Ctrl-C (halt and recover stop waiting)
    exit = await mod.run(ctx, args, opts);
  };
  try {
    await buildProgram(dispatch, out, argv).parseAsync(argv, { from: 'user' });
  } catch (e) {
    // the light build left out a module this run needs: light.ts hands the command line over
    if (isNotInLightBuild(e)) throw e;
    exit = report(e, debug, out);
  }
  return exit;
}

/** The one place an error becomes lines on stderr and an exit code. */
export function report(e: unknown, debug: boolean, out: Output): number {
  const p = paint(out.color);
  if (e instanceof CommanderError) {
    // help and version are "errors" to commander; they already printed
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    return EXIT.invalid;
  }
  if (isGamedayError(e)) {
    // a message may quote what the user typed: each line shortened (one mistake, one readable line)
    out.error(`${p.red('error')}: ${e.message.split('\n').map((l) => clip(l, 400)).join('\n')}`);
    if (e.hint) out.error(`${p.dim('hint')}: ${clip(e.hint, 400)}`);
    if (debug && e.cause) out.error(String((e.cause as Error).stack ?? e.cause));
    if (debug) out.error(String(e.stack));
    return exitCodeFor(e.code);
  }
  out.error(`${p.red('error')}: ${clip(describeError(e), 300)}`);
  out.error(debug ? String((e as Error)?.stack ?? e) : `${p.dim('hint')}: this is a bug in gameday (exit ${EXIT.bug}); run again with --debug for the stack trace`);
  return EXIT.bug;
}

