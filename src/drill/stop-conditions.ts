/**
 * Stop conditions (issue 13): the scenario's safety net. A steady-state probe failing for longer
 * than its tolerance, or a CloudWatch alarm entering ALARM, aborts the drill at once — the session's
 * signal aborts with StopConditionBreached, the engine reverts everything and ends the drill as
 * `aborted` with the reason, and the verdict is a failure (exit 1, a failing JUnit case).
 *
 * Alarms are polled by a probe loop of their own (the cloudwatch-alarm probe, every `interval`);
 * a check that cannot reach CloudWatch is not a breach (only the state ALARM is). Probes are the
 * drill's steady-state loop, read on a short tick, so a breach is seen within the tick after the
 * tolerance runs out.
 */
import { GamedayError } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import type { ProbeSpec } from '../core/probe-spec.js';
import type { Scenario } from '../core/scenario.js';
import { startProbeLoop, type ProbeLoop } from '../probes/loop.js';
import type { ProbePorts } from '../ports/probes.js';
import type { DrillSession } from './session.js';

/** How often the conditions are looked at (the alarms' own checks run at their interval). */
const TICK_MS = 250;
const DEFAULT_ALARM_INTERVAL_MS = 5_000;

/** What the conditions read of the preflight: the probe ports and the steady-state loop. */
interface Watched {
  probePorts: ProbePorts;
  probes?: ProbeLoop;
}

/** The abort reason when a stop condition ended the drill. */
export class StopConditionBreached extends Error {
  constructor(readonly condition: string) {
    super(`stop condition: ${condition}`);
    this.name = 'StopConditionBreached';
  }
}

/** The alarm conditions as cloudwatch-alarm probes (their ports are built with the steady state's). */
export function alarmStopSpecs(scenario: Pick<Scenario, 'stopConditions'>): ProbeSpec[] {
  return scenario.stopConditions.flatMap((c) => ('alarm' in c ? [{ type: 'cloudwatch-alarm' as const, name: `stop condition: alarm ${c.alarm}`, alarm: c.alarm, interval: c.interval ?? DEFAULT_ALARM_INTERVAL_MS }] : []));
}

/** Every probe condition must name a steady-state probe (validate says so too; this is the run's own check). */
export function assertStopConditions(scenario: Scenario): void {
  scenario.stopConditions.forEach((c, i) => {
    if ('probe' in c && !scenario.steadyState.some((p) => p.name === c.probe)) {
      throw new GamedayError('INVALID_INPUT', `scenario ${scenario.id}: stopConditions[${i}].probe: no steadyState probe named "${c.probe}"`, { hint: `name one of: ${scenario.steadyState.map((p) => p.name).join(', ') || '(no probes)'}` });
    }
  });
}

/** Watches the conditions until the returned stop is called; a breach aborts the session. */
export function watchStopConditions(session: DrillSession, scenario: Scenario, ready: Watched): () => Promise<void> {
  if (scenario.stopConditions.length === 0) return async () => {};
  const alarms = alarmStopSpecs(scenario);
  const alarmLoop: ProbeLoop | undefined = alarms.length
    ? startProbeLoop({ specs: alarms, ports: ready.probePorts, signal: session.signal, clock: session.clock, onChange: () => {}, onCrash: () => {} })
    : undefined;
  const breach = (condition: string) => {
    if (session.signal.aborted) return;
    session.host.emit({ type: 'warning', message: `stop condition: ${condition}: aborting the drill and reverting` });
    session.abort(new StopConditionBreached(condition));
  };
  const stopTick = session.clock.every(TICK_MS, () => {
    const inAlarm = alarmLoop?.view().find((v) => v.detail === 'ALARM');
    if (inAlarm) return breach(`CloudWatch alarm ${inAlarm.name.replace(/^stop condition: alarm /, '')} is in ALARM`);
    const failing = probeBreach(scenario, ready, session.clock.now());
    if (failing) breach(failing);
  });
  return async () => {
    stopTick();
    await alarmLoop?.stop();
  };
}

/** The first probe condition whose probe has been failing for longer than its tolerance. */
function probeBreach(scenario: Scenario, ready: Watched, now: number): string | undefined {
  const views = ready.probes?.view() ?? [];
  for (const c of scenario.stopConditions) {
    if (!('probe' in c)) continue;
    const v = views.find((p) => p.name === c.probe);
    if (v?.ok !== false || v.since === undefined) continue;
    const tolerance = c.tolerance ?? 0;
    if (now - v.since >= tolerance) return `probe ${c.probe} failing for ${formatDuration(now - v.since)}${tolerance ? ` (tolerance ${formatDuration(tolerance)})` : ''}: ${v.detail ?? 'failed'}`;
  }
  return undefined;
}
