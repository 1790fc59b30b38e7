/**
 * The drill journal's events: one discriminated union, written once as zod schemas. The
 * TypeScript types are inferred from them, so the checks a reader applies to every line it reads
 * and the types the writers and the fold are compiled against cannot drift apart. A drill's
 * state is a pure fold over these (src/core/drill-state.ts), so whatever the process did before
 * it died can be recovered from the journal alone. Adding a kind here makes the compiler point at
 * every fold and formatter that must handle it.
 */
import { z } from 'zod';
import { PROBE_TYPES } from './probe-spec.js';

const text = z.string();
const epochMs = z.number().finite();
const detailMap = z.record(z.string(), z.unknown());

export const DRILL_MODES = ['adhoc', 'facilitated', 'unattended'] as const;
export const MARK_KINDS = ['detected', 'diagnosed', 'mitigated', 'note'] as const;
export const REVERT_REASONS = ['deadline', 'facilitator', 'halt', 'recover', 'rollback', 'drill-end', 'interrupt'] as const;
export const END_REASONS = ['completed', 'interrupted', 'failed', 'halted', 'aborted'] as const;

const objectives = z.object({
  detectWithin: z.number().optional(),
  diagnoseWithin: z.number().optional(),
  mitigateWithin: z.number().optional(),
  recoverWithin: z.number().optional(),
});

/** Everything an injector needs later to undo (or re-verify) one fault on one target. */
export const faultRecordSchema = z.object({
  /** unique within the drill, e.g. f1-pod-shop-checkout-7d9c */
  faultId: z.string().min(1),
  kind: z.string().min(1),
  /** human readable target, e.g. pod shop/checkout-7d9c */
  target: text,
  reversible: z.boolean(),
  /** epoch ms after which the fault must revert on its own (reversible faults only) */
  deadline: epochMs.optional(),
  /** injector-owned undo data: everything needed to revert, journaled before the mutation */
  undo: detailMap,
});

/** One schema per event type; the union below and every type of this module derive from it. */
export const eventBodySchemas = {
  'drill-started': z.object({
    type: z.literal('drill-started'),
    mode: z.enum(DRILL_MODES),
    env: text,
    scenario: text.optional(),
    title: text.optional(),
    pid: z.number().int(),
    host: text,
    timeLimitMs: z.number().optional(),
    seed: z.number().optional(),
    /** the scenario's objectives in ms and its number of hints, so reports need only the journal */
    objectives: objectives.optional(),
    hintCount: z.number().int().min(0).optional(),
    /** the scenario's checklist (targets in ms from the drill's start), for reports and history */
    checklist: z.array(z.object({ step: text, targetMs: z.number().optional() })).optional(),
    runbook: text.optional(),
    /** the players' briefing, so the room's screen needs only the journal (never the facilitator's summary) */
    briefing: text.optional(),
  }),
  preflight: z.object({ type: z.literal('preflight'), ok: z.boolean(), checks: z.array(z.object({ name: text, ok: z.boolean(), detail: text.optional() })) }),
  plan: z.object({
    type: z.literal('plan'),
    faults: z.array(z.object({ index: z.number().int(), kind: text, targets: z.array(text), reversible: z.boolean(), deadline: epochMs.optional() })),
  }),
  /** written and fsynced BEFORE the mutating call */
  'fault-intent': z.object({ type: z.literal('fault-intent'), record: faultRecordSchema }),
  'fault-injected': z.object({ type: z.literal('fault-injected'), faultId: text, detail: detailMap.optional() }),
  'fault-inject-failed': z.object({ type: z.literal('fault-inject-failed'), faultId: text, error: text, maybeApplied: z.boolean() }),
  'fault-verified': z.object({ type: z.literal('fault-verified'), faultId: text, phase: z.enum(['injected', 'reverted']), ok: z.boolean(), detail: text.optional() }),
  /** recovery evidence and other facts observed after injection (replacement pod Ready in 4.2 s…) */
  'fault-observed': z.object({ type: z.literal('fault-observed'), faultId: text, detail: detailMap }),
  'fault-revert-started': z.object({ type: z.literal('fault-revert-started'), faultId: text, reason: z.enum(REVERT_REASONS) }),
  'fault-reverted': z.object({ type: z.literal('fault-reverted'), faultId: text, outcome: z.enum(['reverted', 'already-reverted']), detail: detailMap.optional() }),
  'fault-revert-failed': z.object({ type: z.literal('fault-revert-failed'), faultId: text, error: text }),
  'probe-result': z.object({ type: z.literal('probe-result'), probe: text, probeType: z.enum(PROBE_TYPES), ok: z.boolean(), detail: text.optional(), latencyMs: z.number().optional() }),
  'hint-revealed': z.object({ type: z.literal('hint-revealed'), index: z.number().int().min(0), text, trigger: z.enum(['timed', 'manual']) }),
  /** the facilitator ticked a checklist step off */
  'step-done': z.object({ type: z.literal('step-done'), index: z.number().int().min(0), step: text }),
  mark: z.object({ type: z.literal('mark'), mark: z.enum(MARK_KINDS), text: text.optional(), by: text.optional() }),
  'reaper-started': z.object({ type: z.literal('reaper-started'), pid: z.number().int(), deadline: epochMs }),
  debrief: z.object({ type: z.literal('debrief'), answers: z.record(z.string(), z.union([text, z.array(text)])) }),
  'drill-ended': z.object({ type: z.literal('drill-ended'), reason: z.enum(END_REASONS), detail: text.optional() }),
} as const;

/**
 * The fields every line carries. Version 2 lines also carry `sum`, a checksum of the rest of the
 * line (checked and removed by the journal store); version 1 lines, from before it, have none.
 */
export const eventBaseSchema = z.object({
  /** schema version of the line */
  v: z.union([z.literal(1), z.literal(2)]),
  drillId: z.string().min(1),
  /** ISO-8601 */
  at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a time'),
  /** 1-based position in the journal, assigned by the store */
  seq: z.number().int().min(1),
});

type Bodies = typeof eventBodySchemas;
export type DrillEventType = keyof Bodies;
export type DrillEventBody = { [K in DrillEventType]: z.infer<Bodies[K]> }[DrillEventType];
export type DrillEvent = z.infer<typeof eventBaseSchema> & DrillEventBody;
export type EventOf<T extends DrillEventType> = Extract<DrillEvent, { type: T }>;
export type EventBodyOf<T extends DrillEventType> = Extract<DrillEventBody, { type: T }>;
export type FaultRecord = z.infer<typeof faultRecordSchema>;
export type DrillMode = (typeof DRILL_MODES)[number];
export type MarkKind = (typeof MARK_KINDS)[number];
export type RevertReason = (typeof REVERT_REASONS)[number];
export type EndReason = (typeof END_REASONS)[number];
export type DrillObjectives = z.infer<typeof objectives>;


/** Every line of a journal is checked against this when read (src/adapters/journal-store.ts). */
export const drillEventSchema = z.discriminatedUnion(
  'type',
  Object.values(eventBodySchemas).map((body) => eventBaseSchema.extend(body.shape)) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

/** The journal line format written now. */
export const JOURNAL_LINE_VERSION = 2;

export const isEventType = (t: unknown): t is DrillEventType => typeof t === 'string' && Object.prototype.hasOwnProperty.call(eventBodySchemas, t);
