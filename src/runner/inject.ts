/**
 * Executes a plan's faults. For each fault, all its targets go together (pod kills should land
 * near-simultaneously; the ports rate-limit): prepare (read-only undo data) → journal the intent
 * and fsync → inject → journal the outcome → verify. If any target fails, or the user interrupts,
 * everything this call injected is reverted before the error propagates.
 */
import type { Environment } from '../core/environment.js';
import { describeError, GamedayError, isGamedayError } from '../core/errors.js';
import type { FaultRecord } from '../core/events.js';
import type { Host } from '../core/host.js';
import type { FaultRef, InjectorContext, Target } from '../injectors/contract.js';
import type { PortSet } from '../ports/index.js';
import type { JournalAppender } from '../ports/journal.js';
import { makeInjectorContext } from './context.js';
import { sleep } from '../core/clock.js';
import type { Plan, PlannedFault } from './plan.js';
import { revertAll } from './revert.js';

export interface RunnerDeps {
  journal: JournalAppender;
  ports: Partial<PortSet>;
  env: Environment;
  host: Host;
  signal: AbortSignal;
  /** a gameday process stays attached (run, inject --wait) and keeps faults alive */
  attached: boolean;
  /** the drill's clock (deadlines are set from it); the system clock when omitted */
  now?: () => number;
}

export interface InjectedFault {
  record: FaultRecord;
  planned: PlannedFault;
  target: Target;
  ref: FaultRef;
  detail: Record<string, unknown> | undefined;
}

const safeId = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);

function interrupted(signal: AbortSignal): GamedayError {
  return new GamedayError('INTERRUPTED', 'interrupted: everything injected so far was reverted', { cause: signal.reason });
}

/** Injects one planned fault on all its targets. */
export async function injectFault(planned: PlannedFault, deps: RunnerDeps): Promise<InjectedFault[]> {
  const { injector, params } = planned;
  const ctx: InjectorContext = makeInjectorContext(deps.env, deps.ports, deps.signal, (m) => deps.host.emit({ type: 'progress', message: m }));
  const now = (deps.now ?? Date.now)();
  const deadline = planned.durationMs === undefined ? undefined : now + planned.durationMs;
  const prepared: { target: Target; ref: FaultRef; record: FaultRecord }[] = [];
  for (const target of planned.selection.targets) {
    if (deps.signal.aborted) throw interrupted(deps.signal);
    const ref: FaultRef = { faultId: `f${planned.index + 1}-${safeId(target.id)}`, drillId: deps.journal.drillId, deadline, attached: deps.attached };
    const undo = await injector.prepare(ctx, target, params, ref);
    const record: FaultRecord = { faultId: ref.faultId, kind: planned.kind, target: target.scope.resource, reversible: injector.reversible, deadline, undo };
    prepared.push({ target, ref, record });
  }
  // the faults are ours from intent to outcome: a halt or recover started meanwhile waits for the
  // outcome instead of "reverting" a fault whose mutation is still in flight (fault-claim.ts)
  const held = deps.journal.claims.tryClaimAll(
    deps.journal.drillId,
    prepared.map((p) => p.ref.faultId),
    'inject',
  );
  const done: InjectedFault[] = [];
  const failures: string[] = [];
  try {
    // write before you break: every intent is durable before the first call (one write, one fsync)
    deps.journal.appendAll(prepared.map((p) => ({ type: 'fault-intent', record: p.record })));
    const settled = await Promise.allSettled(prepared.map((p) => injector.inject(ctx, p.target, params, p.record.undo, p.ref)));
    settled.forEach((s, i) => {
      const p = prepared[i]!;
      if (s.status === 'fulfilled') {
        deps.journal.append({ type: 'fault-injected', faultId: p.ref.faultId, detail: s.value ?? undefined });
        done.push({ ...p, planned, detail: s.value ?? undefined });
      } else {
        const refused = isGamedayError(s.reason) && ['GUARD_REFUSED', 'INVALID_INPUT', 'TARGET_GONE'].includes(s.reason.code);
        deps.journal.append({ type: 'fault-inject-failed', faultId: p.ref.faultId, error: describeError(s.reason), maybeApplied: !refused });
        failures.push(`${p.record.target}: ${describeError(s.reason)}`);
      }
    });
  } finally {
    // released before any rollback below: the rollback's revert claims them again
    for (const h of held) if (h.ok) h.claim.release();
  }
  for (const d of done) {
    try {
      const v = await injector.verify(ctx, d.record.undo, 'injected', d.ref);
      deps.journal.append({ type: 'fault-verified', faultId: d.ref.faultId, phase: 'injected', ok: v.ok, detail: v.detail });
    } catch (e) {
      deps.journal.append({ type: 'fault-verified', faultId: d.ref.faultId, phase: 'injected', ok: false, detail: `verify failed: ${describeError(e)}` });
    }
  }
  if (failures.length) {
    const err = new GamedayError('INJECT_FAILED', `${planned.kind}: ${failures.length} of ${prepared.length} target(s) failed:\n  ${failures.join('\n  ')}`, {
      hint: 'everything this fault injected was reverted',
    });
    // failed targets may have half-applied: revert those that are reversible too (idempotent)
    await revertAll(prepared.map((p) => p.record).filter((r) => r.reversible), 'rollback', deps);
    throw err;
  }
  return done;
}

/** Injects every fault of the plan in order (honouring each fault's `at` delay); rolls back on failure or interrupt. */
export async function injectPlan(plan: Plan, deps: RunnerDeps, startedAt = Date.now()): Promise<InjectedFault[]> {
  const all: InjectedFault[] = [];
  try {
    for (const f of plan.faults) {
      const wait = startedAt + f.atMs - Date.now();
      if (wait > 0) await sleep(wait, deps.signal);
      if (deps.signal.aborted) throw interrupted(deps.signal);
      all.push(...(await injectFault(f, deps)));
      if (deps.signal.aborted) throw interrupted(deps.signal);
    }
    return all;
  } catch (e) {
    await revertAll(all.filter((f) => f.record.reversible).map((f) => f.record), deps.signal.aborted ? 'interrupt' : 'rollback', deps);
    if (deps.signal.aborted && !(isGamedayError(e) && e.code === 'INTERRUPTED')) throw interrupted(deps.signal);
    throw e;
  }
}

/**
 * Runs injectors' `observe` (recovery evidence) for the injected faults, journaling each report.
 * Bounded by the injectors themselves and by `signal`.
 */
export async function observeAll(faults: InjectedFault[], deps: RunnerDeps): Promise<void> {
  const ctx = makeInjectorContext(deps.env, deps.ports, deps.signal, (m) => deps.host.emit({ type: 'progress', message: m }));
  await Promise.allSettled(
    faults
      .filter((f) => f.planned.injector.observe)
      .map((f) =>
        f.planned.injector.observe!(ctx, f.record.undo, f.detail, async (detail) => void deps.journal.append({ type: 'fault-observed', faultId: f.record.faultId, detail }), f.ref).catch((e) => {
          if (!deps.signal.aborted) deps.journal.append({ type: 'fault-observed', faultId: f.record.faultId, detail: { error: describeError(e) } });
        }),
      ),
  );
}

/**
 * The dead man's switch, live side: while this process is attached, renew each fault's lease.
 * Returns a stop function. If the process dies, renewals stop and node agents revert on their own.
 */
export function keepAlive(faults: InjectedFault[], deps: RunnerDeps): () => void {
  const timers: NodeJS.Timeout[] = [];
  const ctx = makeInjectorContext(deps.env, deps.ports, deps.signal);
  for (const f of faults) {
    const inj = f.planned.injector;
    if (!inj.keepAlive) continue;
    const every = inj.keepAliveEveryMs ?? 10_000;
    const t = setInterval(() => {
      inj.keepAlive!(ctx, f.record.undo, f.ref).catch((e) => deps.host.emit({ type: 'warning', message: `lease renewal for ${f.record.target} failed: ${describeError(e)}` }));
    }, every);
    timers.push(t);
  }
  return () => timers.forEach(clearInterval);
}
