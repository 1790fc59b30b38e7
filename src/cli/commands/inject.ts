/**
 * `gameday inject <kind>`: one ad-hoc fault, the way a facilitator improvises one, journaled like
 * a drill. Returns once the fault is active and verified; a detached reversible fault is reverted
 * at its deadline by a deadline keeper process (and by node agents on their own). With --wait it
 * stays attached with a countdown and reverts on Ctrl-C or at the deadline.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HaltFlag } from '../../adapters/halt-flag.js';
import { newDrillId, thisHost } from '../../adapters/journal-store.js';
import { buildPorts } from '../../adapters/ports.js';
import { getEnvironment } from '../../adapters/config-store.js';
import { formatClock, formatDuration } from '../../core/duration.js';
import { GamedayError, isGamedayError } from '../../core/errors.js';
import { newSeed } from '../../core/random.js';
import { checkGuards } from '../../core/guards.js';
import type { FaultSpec } from '../../core/scenario.js';
import { findInjector, catalog } from '../../injectors/registry.js';
import { assertPlanAllowed, checkFaultSpecs, planEvent, portsNeeded, resolvePlan } from '../../runner/plan.js';
import { injectPlan, keepAlive, observeAll, type RunnerDeps } from '../../runner/inject.js';
import { endUnlessClosed } from '../../runner/recover.js';
import { revertAll } from '../../runner/revert.js';
import { sleep } from '../../core/clock.js';
import { confirmOrRefuse } from '../confirm.js';
import type { CommandContext, CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { LineHost } from '../hosts/line-host.js';
import { parseDurationFlag, parseParams, parseSeed, parseTargetList } from '../kv.js';
import { quoted } from '../../core/text.js';
import { paint } from '../output.js';
import { stateOf } from '../state.js';
import { describePlan } from '../plan-text.js';

export const run: CommandRun = async (ctx, args, opts) => {
  const kind = args[0]!;
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
  const seed = parseSeed(opts.seed) ?? newSeed();

  const { config, journals, halt } = stateOf(ctx);
  const env = getEnvironment(config, opts.env as string | undefined);
  const host = new LineHost(ctx.out);
  // a critical or halted environment is refused before any client is even built
  assertPlanAllowed({ env, seed, faults: [], verdicts: checkGuards({ env, halt: halt.state(env.name), faults: [], now: Date.now() }), ok: false });
  const ports = await buildPorts(env, portsNeeded([spec]));
  const plan = await resolvePlan({ env, faults: [spec], seed, halt: halt.state(env.name), acknowledgeNodeImpact: Boolean(opts.acknowledgeNodeImpact) }, { ports, signal: ctx.signal, progress: (m) => host.emit({ type: 'progress', message: m }) });
  ctx.out.line(describePlan(plan, ctx.out.color));
  assertPlanAllowed(plan);
  await confirmOrRefuse(ctx, Boolean(opts.yes), `Inject ${kind} on ${plan.faults[0]!.selection.targets.length} target(s) in ${env.name}?`);

  const drillId = newDrillId(kind.replace(/\./g, '-'));
  const journal = journals.open(drillId);
  journal.onAppend((e) => host.emit(e));
  const wait = Boolean(opts.wait);
  const deps: RunnerDeps = { journal, ports, env, host, signal: ctx.signal, attached: wait };
  try {
    journal.append({ type: 'drill-started', mode: 'adhoc', env: env.name, title: `ad-hoc ${kind}`, pid: process.pid, host: thisHost(), seed });
    journal.append(planEvent(plan, Date.now()));
    const injected = await injectPlan(plan, deps);
    const reversible = injected.filter((f) => f.record.reversible);
    ctx.out.line(paint(ctx.out.color).bold(`drill id: ${drillId}`));
    if (reversible.length === 0) {
      // one-shot: stay for the recovery evidence (bounded by the injector), then close the drill
      await observeAll(injected, deps);
      journal.append({ type: 'drill-ended', reason: 'completed' });
      return EXIT.ok;
    }
    const deadline = Math.min(...reversible.map((f) => f.record.deadline ?? Date.now()));
    if (!wait) {
      const pid = spawnDeadlineKeeper(ctx, drillId, deadline);
      journal.append({ type: 'reaper-started', pid, deadline });
      void observeAll(injected, { ...deps, signal: AbortSignal.timeout(5_000) });
      ctx.out.line(`active until ${new Date(deadline).toLocaleTimeString()} (${formatDuration(deadline - Date.now())}); revert now with: gameday recover ${drillId}   (or stop everything: gameday halt)`);
      return EXIT.ok;
    }
    return await stayAttached(ctx, halt, injected, deps, deadline);
  } catch (e) {
    if (isGamedayError(e) && e.code === 'INTERRUPTED') {
      journal.append({ type: 'drill-ended', reason: 'interrupted' });
      throw e;
    }
    if (isGamedayError(e) && e.code === 'HALTED') throw e; // stayAttached journaled the end
    journal.append({ type: 'drill-ended', reason: 'failed', detail: e instanceof Error ? e.message.split('\n')[0] : String(e) });
    throw e;
  } finally {
    journal.close();
  }
};

async function stayAttached(ctx: CommandContext, halt: HaltFlag, injected: Awaited<ReturnType<typeof injectPlan>>, deps: RunnerDeps, deadline: number): Promise<number> {
  const stopLease = keepAlive(injected, deps);
  void observeAll(injected, deps);
  const reversible = injected.filter((f) => f.record.reversible).map((f) => f.record);
  // `gameday halt` from anywhere stops the wait at once (it reverts too; reverting is idempotent)
  const halted = new AbortController();
  let haltReason: string | undefined;
  const stopHaltWatch = halt.watch(deps.env.name, (reason) => {
    haltReason = reason;
    halted.abort();
  });
  const wake = AbortSignal.any([ctx.signal, halted.signal]);
  try {
    while (Date.now() < deadline && !wake.aborted) {
      if (ctx.out.isTTY) ctx.out.write(`\r  reverts in ${formatClock(deadline - Date.now())}  (Ctrl-C reverts now) `);
      await sleep(Math.min(1000, Math.max(0, deadline - Date.now())), wake).catch(() => undefined);
    }
  } finally {
    stopLease();
    stopHaltWatch();
  }
  if (ctx.out.isTTY) ctx.out.write('\n');
  const interrupted = ctx.signal.aborted;
  const byHalt = !interrupted && halted.signal.aborted;
  const results = await revertAll(reversible, byHalt ? 'halt' : interrupted ? 'interrupt' : 'deadline', deps);
  if (byHalt) endUnlessClosed(stateOf(ctx).journals, deps.journal, 'halted');
  else deps.journal.append({ type: 'drill-ended', reason: interrupted ? 'interrupted' : 'completed' });
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length) throw new GamedayError('REVERT_FAILED', `could not revert: ${failed.map((f) => `${f.target}: ${f.error}`).join('; ')}`, { hint: `retry with gameday recover ${deps.journal.drillId}` });
  if (byHalt) throw new GamedayError('HALTED', `stopped: the halt flag was set${haltReason ? ` (${haltReason})` : ''}; every fault of this drill was reverted`, { hint: 'new drills are refused until `gameday halt --clear`' });
  return interrupted ? EXIT.interrupted : EXIT.ok;
}

/** A detached `gameday _reap` that reverts the drill at its deadline, even after this process exits. */
function spawnDeadlineKeeper(ctx: CommandContext, drillId: string, deadline: number): number {
  const bin = fileURLToPath(new URL('../../../bin/gameday.js', import.meta.url));
  const argv = [bin, ...(ctx.configFile ? ['--config', ctx.configFile] : []), '_reap', drillId, '--at', String(deadline)];
  const child = spawn(process.execPath, argv, { detached: true, stdio: 'ignore', cwd: ctx.cwd, env: process.env });
  child.unref();
  return child.pid ?? -1;
}
