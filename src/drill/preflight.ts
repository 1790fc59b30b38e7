/**
 * The drill's preflight: the cluster lease, the ports, the plan (targets and guards), steady state
 * before anything is touched; then the journal opens with `drill-started`, `preflight` and `plan`.
 * A failed check ends the drill as `aborted` with nothing changed and throws GUARD_REFUSED naming
 * every failed check.
 */
import { hostname } from 'node:os';
import { GamedayError } from '../core/errors.js';
import { DEFAULT_TIME_LIMIT_MS } from '../core/scenario.js';
import type { ProbePorts } from '../ports/probes.js';
import { checkAll, type ProbeLoop } from '../probes/loop.js';
import { probePortsNeeded } from '../probes/registry.js';
import { planEvent, portsNeeded, refusalHint, resolvePlan, type Plan } from '../runner/plan.js';
import { newSeed } from '../core/random.js';
import { throwIfAborted } from './ask.js';
import { alarmStopSpecs, assertStopConditions } from './stop-conditions.js';
import type { DrillDeps, DrillOptions } from './options.js';
import type { DrillSession } from './session.js';

/** What the later steps need from the preflight. */
export interface Preflighted {
  plan: Plan;
  timeLimitMs: number;
  probePorts: ProbePorts & { close(): Promise<void> };
  /** started by the live loop */
  probes?: ProbeLoop;
  /** a scheduled fault that failed to inject in the background (set by the live loop) */
  backgroundFailure(): unknown;
}

type Check = { name: string; ok: boolean; detail?: string };

export async function preflight(opts: DrillOptions, deps: DrillDeps, session: DrillSession): Promise<Preflighted> {
  const { scenario, env } = opts;
  const { host, signal } = session;
  host.emit({ type: 'progress', message: `preflight on ${env.name}: resolving targets and checking steady state…` });
  await session.takeClusterLease(); // throws LOCKED
  throwIfAborted(signal);
  const seed = opts.seed ?? newSeed();
  session.ports = await deps.buildPorts(env, portsNeeded(scenario.faults));
  throwIfAborted(signal);
  const halt = { halted: false };
  const plan = await resolvePlan({ env, faults: scenario.faults, seed, halt, now: session.clock.now() }, { ports: session.ports, signal, progress: (m) => host.emit({ type: 'progress', message: m }) });
  throwIfAborted(signal);
  assertStopConditions(scenario);
  const stopAlarms = alarmStopSpecs(scenario);
  const probePorts = await deps.buildProbePorts(env, probePortsNeeded([...scenario.steadyState, ...stopAlarms]));
  const ready: Preflighted = { plan, timeLimitMs: scenario.timeLimit ?? DEFAULT_TIME_LIMIT_MS, probePorts, backgroundFailure: () => undefined };
  try {
    // an alarm stop condition already in ALARM (or missing) refuses the drill like a failing probe
    const steady = await checkAll([...scenario.steadyState, ...stopAlarms], probePorts, signal);
    throwIfAborted(signal);
    // the journal starts once the lock is ours and the plan is known
    session.openJournal();
    session.append({
      type: 'drill-started', mode: opts.mode, env: env.name, scenario: scenario.id, title: scenario.title, pid: process.pid, host: hostname(), timeLimitMs: ready.timeLimitMs, seed,
      objectives: scenario.objectives, hintCount: scenario.hints.length, runbook: scenario.runbook, briefing: scenario.briefing.trim(),
      ...(scenario.checklist.length ? { checklist: scenario.checklist.map((c) => ({ step: c.step, targetMs: c.target })) } : {}),
    });
    const checks: Check[] = [
      { name: 'environment non-critical', ok: true, detail: env.name },
      { name: 'halt flag clear', ok: true },
      { name: 'environment lock', ok: true, detail: `held by this drill (pid ${process.pid})${session.lease ? `; cluster lease ${session.lease.name}` : ''}` },
      ...plan.verdicts.filter((v) => v.guard !== 'environment' && v.guard !== 'halt-flag').map((v) => ({ name: `guard ${v.guard}${v.fault !== undefined ? ` (fault ${v.fault + 1})` : ''}`, ok: v.ok, detail: v.detail })),
      ...steady.map((r) => ({ name: `steady state: ${r.probe}`, ok: r.ok, detail: r.detail })),
    ];
    const ok = checks.every((c) => c.ok);
    session.append({ type: 'preflight', ok, checks });
    if (!ok) refuse(session, plan, checks);
    session.append(planEvent(plan, session.clock.now()));
    return ready;
  } catch (e) {
    await probePorts.close().catch(() => undefined);
    throw e;
  }
}

function refuse(session: DrillSession, plan: Plan, checks: Check[]): never {
  const failed = checks.filter((c) => !c.ok);
  session.end('aborted', `preflight failed: ${failed.map((c) => c.name).join(', ')}`);
  const probeFailed = failed.some((c) => c.name.startsWith('steady state'));
  throw new GamedayError('GUARD_REFUSED', `preflight refused the drill, nothing was changed:\n${failed.map((c) => `  ✘ ${c.name}: ${c.detail ?? 'failed'}`).join('\n')}`, {
    hint: probeFailed ? 'steady state must hold before a drill: fix (or wait for) the failing probe first' : refusalHint(plan.verdicts),
  });
}
