/**
 * `gameday inject <kind>`: one ad-hoc fault, the way a facilitator improvises one, journaled like
 * a drill through the same DrillSession as `gameday run`. Returns once the fault is active and
 * verified; a detached reversible fault is reverted at its deadline by a deadline keeper process
 * (and by node agents on their own). With --wait it stays attached with a countdown and reverts on
 * Ctrl-C, on `gameday halt` or at the deadline. Ad-hoc faults do not take the environment lock:
 * they may stack, on top of each other or of a running drill.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { newDrillId, thisHost } from '../../adapters/journal-store.js';
import { buildPorts } from '../../adapters/ports.js';
import { getEnvironment } from '../../adapters/config-store.js';
import { systemClock } from '../../core/clock.js';
import { formatClock, formatDuration } from '../../core/duration.js';
import { GamedayError, isGamedayError } from '../../core/errors.js';
import { planRows } from '../../core/plan-view.js';
import { newSeed } from '../../core/random.js';
import type { FaultSpec } from '../../core/scenario.js';
import { quoted } from '../../core/text.js';
import { DrillSession } from '../../drill/session.js';
import { findInjector, catalog } from '../../injectors/registry.js';
import type { InjectedFault } from '../../runner/inject.js';
import { assertPlanAllowed, checkFaultSpecs, planEvent, planJson, portsNeeded, resolvePlan, type Plan } from '../../runner/plan.js';
import { confirmOrRefuse } from '../confirm.js';
import type { CommandContext, CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { LineHost } from '../hosts/line-host.js';
import { parseDurationFlag, parseParams, parseSeed, parseTargetList } from '../kv.js';
import { paint } from '../output.js';
import { stateOf } from '../state.js';

type Opts = Record<string, unknown>;

export const run: CommandRun = async (ctx, args, opts) => {
  const kind = args[0]!;
  const spec = faultSpecFrom(kind, opts);
  const seed = parseSeed(opts.seed) ?? newSeed();
  const { config, stores, halt } = stateOf(ctx);
  const env = getEnvironment(config, opts.env as string | undefined);
  const host = new LineHost(ctx.out);
  // a critical or halted environment is refused here, before any client is even built
  const session = DrillSession.open(newDrillId(kind.replace(/\./g, '-')), env, { clock: systemClock, journals: stores.journalFor(env), halt, host, signal: ctx.signal }, { watchHalt: false });
  try {
    const plan = await planAndConfirm(ctx, session, spec, seed, opts);
    session.openJournal();
    session.append({ type: 'drill-started', mode: 'adhoc', env: env.name, title: `ad-hoc ${kind}`, pid: process.pid, host: thisHost(), seed });
    session.append(planEvent(plan, session.clock.now()));
    return await injectAndFollow(ctx, session, plan, Boolean(opts.wait));
  } catch (e) {
    if (isGamedayError(e) && e.code === 'INTERRUPTED') session.end('interrupted');
    else if (!(isGamedayError(e) && e.code === 'HALTED')) session.end('failed', e instanceof Error ? e.message.split('\n')[0] : String(e));
    throw e;
  } finally {
    await session.close();
  }
};

function faultSpecFrom(kind: string, opts: Opts): FaultSpec {
  const injector = findInjector(kind);
  if (!injector) throw new GamedayError('INVALID_INPUT', `unknown fault kind ${quoted(kind, 40)}`, { hint: `known kinds: ${Object.keys(catalog()).join(', ')}` });
  const shape = (injector.targetSchema as { shape?: Record<string, unknown> }).shape;
  const spec: FaultSpec = {
    kind,
    target: opts.target ? parseTargetList(String(opts.target), shape ? Object.keys(shape) : []) : {},
    params: parseParams((opts.param as string[] | undefined) ?? []),
    duration: undefined,
    acknowledgeNodeImpact: Boolean(opts.acknowledgeNodeImpact),
  };
  if (opts.duration !== undefined) spec.duration = parseDurationFlag(opts.duration);
  checkFaultSpecs([spec], '--target/--param of fault');
  return spec;
}

/** Resolves the targets, shows the plan, refuses on a guard, asks (unless --yes). Nothing is journaled yet. */
async function planAndConfirm(ctx: CommandContext, session: DrillSession, spec: FaultSpec, seed: number, opts: Opts): Promise<Plan> {
  const { env, host } = session;
  session.ports = await buildPorts(env, portsNeeded([spec]));
  const plan = await resolvePlan({ env, faults: [spec], seed, halt: { halted: false }, acknowledgeNodeImpact: Boolean(opts.acknowledgeNodeImpact), now: session.clock.now() }, { ports: session.ports, signal: session.signal, progress: (m) => host.emit({ type: 'progress', message: m }) });
  const p = paint(ctx.out.color);
  ctx.out.line(p.bold(`Plan: ad-hoc ${spec.kind} on ${env.name}`));
  for (const row of planRows(planJson(plan))) ctx.out.line(`  ${p.tone(row.tone, row.text)}`);
  assertPlanAllowed(plan);
  await confirmOrRefuse(ctx, Boolean(opts.yes), `Inject ${spec.kind} on ${plan.faults[0]!.selection.targets.length} target(s) in ${env.name}?`);
  return plan;
}

async function injectAndFollow(ctx: CommandContext, session: DrillSession, plan: Plan, wait: boolean): Promise<number> {
  const injected = await session.inject(plan, wait);
  ctx.out.line(paint(ctx.out.color).bold(`drill id: ${session.drillId}`));
  const reversible = injected.filter((f) => f.record.reversible);
  if (reversible.length === 0) {
    // one-shot: stay for the recovery evidence (bounded by the injector), then close the drill
    await session.observe(injected, session.signal);
    session.end('completed');
    return EXIT.ok;
  }
  const deadline = session.nextDeadline() ?? session.clock.now();
  if (wait) return stayAttached(ctx, session, deadline);
  const pid = spawnDeadlineKeeper(ctx, session.drillId, deadline);
  session.append({ type: 'reaper-started', pid, deadline });
  void observeBriefly(session, injected);
  ctx.out.line(`active until ${new Date(deadline).toLocaleTimeString()} (${formatDuration(deadline - session.clock.now())}); revert now with: gameday recover ${session.drillId}   (or stop everything: gameday halt)`);
  return EXIT.ok;
}

/** A detached inject journals what it sees of the recovery for a few seconds, then leaves it to the keeper. */
const observeBriefly = (session: DrillSession, injected: InjectedFault[]): Promise<void> => session.observe(injected, AbortSignal.any([session.signal, AbortSignal.timeout(5_000)]));

/** `inject --wait`: a countdown until the deadline, Ctrl-C or `gameday halt`, then the revert. */
async function stayAttached(ctx: CommandContext, session: DrillSession, deadline: number): Promise<number> {
  const { clock } = session;
  session.watchHalt();
  while (clock.now() < deadline && !session.signal.aborted) {
    if (ctx.out.isTTY) ctx.out.write(`\r  reverts in ${formatClock(deadline - clock.now())}  (Ctrl-C reverts now) `);
    await clock.pause(Math.min(1000, Math.max(0, deadline - clock.now())), session.signal);
  }
  session.stopKeepAlives();
  if (ctx.out.isTTY) ctx.out.write('\n');
  const interrupted = ctx.signal.aborted;
  const halted = !interrupted ? session.haltedBy : undefined;
  const results = await session.revertActive(halted ? 'halt' : interrupted ? 'interrupt' : 'deadline');
  session.end(halted ? 'halted' : interrupted ? 'interrupted' : 'completed');
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length) throw new GamedayError('REVERT_FAILED', `could not revert: ${failed.map((f) => `${f.target}: ${f.error}`).join('; ')}`, { hint: `retry with gameday recover ${session.drillId}` });
  if (halted) throw new GamedayError('HALTED', `stopped: the halt flag was set${halted.haltReason ? ` (${halted.haltReason})` : ''}; every fault of this drill was reverted`, { hint: 'new drills are refused until `gameday halt --clear`' });
  return interrupted ? EXIT.interrupted : EXIT.ok;
}

/** A detached `gameday _keep-deadline` that reverts the drill at its deadline, even after this process exits. */
function spawnDeadlineKeeper(ctx: CommandContext, drillId: string, deadline: number): number {
  const bin = fileURLToPath(new URL('../../../bin/gameday.js', import.meta.url));
  const argv = [bin, ...(ctx.configFile ? ['--config', ctx.configFile] : []), '_keep-deadline', drillId, '--at', String(deadline)];
  const child = spawn(process.execPath, argv, { detached: true, stdio: 'ignore', cwd: ctx.cwd, env: process.env });
  child.unref();
  return child.pid ?? -1;
}
