import { z } from 'zod';
import { probeSpec } from './probe-spec.js';
import { durationSchema, nonEmpty, scalar } from './schema-helpers.js';

/**
 * A scenario is one drill of the library: `scenarios/<id>.yaml`, id = file name.
 * The schema checks shape only; fault kinds and their params are checked against the injector
 * catalog by `checkScenario` (src/core/validate.ts), so the core never depends on injectors.
 */
export const faultSpec = z.strictObject({
  /** injector kind, e.g. k8s.pod-kill */
  kind: nonEmpty,
  /** what to hit, as key/values the injector understands (namespace, selector, name, cluster…) */
  target: z.record(z.string(), scalar).default({}),
  params: z.record(z.string(), z.unknown()).default({}),
  /** how long a reversible fault stays before it reverts on its own */
  duration: durationSchema.optional(),
  /** node-level faults need this explicit acknowledgement */
  acknowledgeNodeImpact: z.boolean().optional(),
  /** delay after the drill starts (default: at once) */
  at: durationSchema.optional(),
});
export type FaultSpec = z.infer<typeof faultSpec>;

export const hintSpec = z.union([
  nonEmpty.transform((text) => ({ text, after: undefined as number | undefined })),
  z.strictObject({ text: nonEmpty, after: durationSchema.optional() }),
]);

/**
 * A step of a tabletop's checklist: what the team must get done, and by when (from the drill's
 * start). The facilitator ticks steps off on the clock (key `c`); the debrief and `gameday
 * history` show each step's time against its target, drill after drill.
 */
export const checklistStepSpec = z.union([
  nonEmpty.transform((step) => ({ step, target: undefined as number | undefined })),
  z.strictObject({ step: nonEmpty, target: durationSchema.optional() }),
]);
export const MAX_CHECKLIST_STEPS = 30;

export const objectivesSpec = z.strictObject({
  detectWithin: durationSchema.optional(),
  diagnoseWithin: durationSchema.optional(),
  mitigateWithin: durationSchema.optional(),
  recoverWithin: durationSchema.optional(),
});
export type Objectives = z.infer<typeof objectivesSpec>;

export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;

/** A drill without `timeLimit` ends by itself after this long. */
export const DEFAULT_TIME_LIMIT_MS = 30 * 60_000;

export const stopConditionSpec = z.union([
  /** a steadyState probe (by name) failing for longer than `tolerance` (absent: as soon as it fails) */
  z.strictObject({ probe: nonEmpty, tolerance: durationSchema.optional() }),
  /** a CloudWatch alarm of the environment's AWS account entering ALARM, checked every `interval` (default 5s) */
  z.strictObject({ alarm: nonEmpty, interval: durationSchema.optional() }),
]);

export const scenarioSpec = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'ids are lower-case words joined by dashes'),
  title: nonEmpty,
  /** facilitator only: what breaks and why */
  summary: nonEmpty,
  /** what the players are told */
  briefing: nonEmpty,
  tags: z.array(nonEmpty).default([]),
  difficulty: z.enum(DIFFICULTIES).default('medium'),
  faults: z.array(faultSpec).default([]),
  steadyState: z.array(probeSpec).default([]),
  hints: z.array(hintSpec).default([]),
  /** a timing sheet the facilitator ticks off (tabletops: "how fast can we rebuild?") */
  checklist: z.array(checklistStepSpec).max(MAX_CHECKLIST_STEPS, `at most ${MAX_CHECKLIST_STEPS} steps`).default([]),
  /** runbooks/<file>.md with an optional #anchor */
  runbook: z.string().regex(/^[^#\s]+\.md(#[-a-z0-9_]+)?$/i, 'write a path to a .md file with an optional #anchor, e.g. runbooks/checkout.md#pods').optional(),
  objectives: objectivesSpec.default({}),
  /** the drill ends by itself after this long (default 30m) */
  timeLimit: durationSchema.optional(),
  /**
   * When to give up at once (revert everything, verdict failed): a steady-state probe failing for
   * longer than its tolerance, or a CloudWatch alarm entering ALARM. The safety net of an
   * unattended drill: the system is hurting more than the drill meant it to.
   */
  stopConditions: z.array(stopConditionSpec).default([]),
});
export type Scenario = z.infer<typeof scenarioSpec>;
export type StopCondition = z.infer<typeof stopConditionSpec>;
export type ScenarioInput = z.input<typeof scenarioSpec>;

