/**
 * The shared contract every registered injector must pass, against whatever backend it needs
 * (real servers for real injectors). Run it from a test file:
 *
 *   describeInjectorContract('k8s.pod-kill', async () => ({ injector, ctx, target, params }));
 *
 * Cycle: select → prepare → inject → verify(injected) → revert → verify(reverted) → revert again
 * (no-op) → revert of a never-injected undo (no-op) → revert after the target vanished (counts as
 * reverted). Undo data goes through JSON between steps, as it does through the journal.
 */
import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/core/clock.js';
import type { AnyInjector, FaultRef, InjectorContext } from '../../src/injectors/contract.js';

export interface ContractFixture {
  injector: AnyInjector;
  ctx: InjectorContext;
  /** raw target and params, as a scenario would write them */
  target: Record<string, unknown>;
  params: Record<string, unknown>;
  /** when given: make the target of `undo` vanish (delete it behind the injector's back) */
  vanish?: (undo: Record<string, unknown>) => Promise<void>;
  /** restore the world between steps that need a fresh target (e.g. wait for replacements) */
  settle?: () => Promise<void>;
  cleanup?: () => Promise<void>;
}

const roundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export function describeInjectorContract(kind: string, makeFixture: () => Promise<ContractFixture>): void {
  describe(`injector contract: ${kind}`, () => {
    it('select → prepare → inject → verify → revert → revert again → revert never-injected → revert vanished', async () => {
      const fx = await makeFixture();
      const { injector, ctx } = fx;
      let n = 0;
      const ref = (): FaultRef => ({ faultId: `contract-${++n}`, drillId: 'contract-test', deadline: Date.now() + 120_000, attached: true });
      try {
        expect(injector.kind).toBe(kind);
        const spec = injector.targetSchema.parse(fx.target);
        const params = injector.paramsSchema.parse(fx.params);
        const sel = await injector.select(ctx, spec, params, () => 0.42);
        expect(sel.targets.length).toBeGreaterThan(0);
        const target = sel.targets[0]!;
        expect(target.scope.resource).toBeTruthy();

        // inject
        const r1 = ref();
        const undo = roundTrip(await injector.prepare(ctx, target, params, r1));
        expect(typeof injector.describeRevert(undo, target)).toBe('string');
        await injector.inject(ctx, target, params, undo, r1);
        const injected = await injector.verify(ctx, undo, 'injected', r1);
        expect(injected.ok, `verify(injected): ${injected.detail}`).toBe(true);

        // revert, then verify it is gone
        const first = await injector.revert(ctx, roundTrip(undo), r1);
        expect(first.outcome).toBe(injector.reversible ? 'reverted' : 'nothing-to-revert');
        const reverted = await injector.verify(ctx, undo, 'reverted', r1);
        expect(reverted.ok, `verify(reverted): ${reverted.detail}`).toBe(true);

        // revert again: a no-op
        const second = await injector.revert(ctx, roundTrip(undo), r1);
        expect(second.outcome).not.toBe('reverted');

        // revert of something never injected: a no-op
        await fx.settle?.();
        const sel2 = await injector.select(ctx, spec, params, () => 0.17);
        const r2 = ref();
        const never = roundTrip(await injector.prepare(ctx, sel2.targets[0]!, params, r2));
        const neverOutcome = await injector.revert(ctx, never, r2);
        expect(neverOutcome.outcome).not.toBe('reverted');

        // "not found" while reverting counts as reverted
        if (fx.vanish) {
          await fx.settle?.();
          const sel3 = await injector.select(ctx, spec, params, () => 0.73);
          const r3 = ref();
          const undo3 = roundTrip(await injector.prepare(ctx, sel3.targets[0]!, params, r3));
          await injector.inject(ctx, sel3.targets[0]!, params, undo3, r3);
          await fx.vanish(undo3);
          const gone = await injector.revert(ctx, undo3, r3);
          expect(['reverted', 'already-reverted', 'nothing-to-revert']).toContain(gone.outcome);
          expect((await injector.verify(ctx, undo3, 'reverted', r3)).ok).toBe(true);
        }
      } finally {
        await fx.cleanup?.();
      }
    });
  });
}

/** A context for injectors that need no ports, or for wrapping real ports. */
export function contextWith(ports: Record<string, unknown>, env: Partial<InjectorContext['env']> = {}): InjectorContext {
  return {
    env: {
      name: 'test',
      critical: false,
      guards: { optInLabel: 'gameday.dev/enabled=true', optInTag: 'gameday:enabled=true', protectedNamespaces: [], maxTargets: 10, maxPercent: 50, windows: [] },
      defaultDuration: 600_000,
      maxDuration: 3_600_000,
      ...env,
    },
    ports: ports as InjectorContext['ports'],
    signal: new AbortController().signal,
    progress: () => {},
    now: () => Date.now(),
    // the runner's own sleep: it removes its abort listener when it wakes (a copy here that did not
    // left one per poll on the shared signal, and Node warned of a leak past 10)
    sleep,
  };
}
