/** The drill's inputs and result, shared by the steps of drill/engine.ts. */
import type { PortBuilder } from '../adapters/ports.js';
import type { Clock } from '../core/clock.js';
import type { Environment } from '../core/environment.js';
import type { DrillEvent } from '../core/events.js';
import type { Scenario } from '../core/scenario.js';
import type { DrillSummary } from '../core/summary.js';
import type { ClusterLock } from '../ports/cluster-lock.js';
import type { Notifier } from '../ports/notify.js';
import type { ProbePortName, ProbePorts } from '../ports/probes.js';
import type { PlannedFault } from '../runner/plan.js';
import type { DrillHost } from './host.js';

export interface DrillOptions {
  scenario: Scenario;
  env: Environment;
  mode: 'facilitated' | 'unattended';
  stateDir: string;
  /** project root: runbook links are relative to it */
  root: string;
  seed?: number;
  /** unattended: end once steady state has held this long with nothing active (default 10s) */
  settleMs?: number;
  /** after the end revert, wait this long at most for steady state to come back (default 30s) */
  recheckMs?: number;
  /** panel refresh (default 1s) */
  tickMs?: number;
}

export interface DrillDeps {
  host: DrillHost;
  signal: AbortSignal;
  buildPorts: PortBuilder;
  buildProbePorts: (env: Environment, needs: readonly ProbePortName[]) => Promise<ProbePorts & { close(): Promise<void> }>;
  /** the cluster side of the environment lock (a Lease); omitted: the lock file only */
  clusterLock?: ClusterLock;
  /** the system clock unless a test brings a fake one */
  clock?: Clock;
  /** told of the start and of an abort (the CLI sends the verdict); omitted: nobody */
  notifier?: Notifier;
}

export interface DrillResult {
  drillId: string;
  /** undefined when the facilitator declined to start (nothing happened) */
  summary?: DrillSummary;
  events: DrillEvent[];
  outcome: 'passed' | 'objectives-failed' | 'declined';
}

/** A fault with an `at:` delay, injected from the live loop so the clock runs meanwhile. */
export interface Scheduled {
  planned: PlannedFault;
  started: boolean;
  done: boolean;
}
