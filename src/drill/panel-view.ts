/**
 * What the live panel shows, built from the session's state and the time: faults (with deadlines,
 * and scheduled ones with their start), probes, hints, marks and the latest happenings. Pure; the
 * host draws it.
 */
import type { DrillState } from '../core/drill-state.js';
import { formatDuration } from '../core/duration.js';
import { eventText } from '../core/event-text.js';
import type { DrillEvent, DrillEventType } from '../core/events.js';
import type { DrillOptions, Scheduled } from './options.js';
import type { PanelView } from './host.js';
import type { Preflighted } from './preflight.js';
import type { DrillSession } from './session.js';

/** The events the panel's log shows: what the room cares about, not the bookkeeping. */
const LOGGED: ReadonlySet<DrillEventType> = new Set<DrillEventType>(['probe-result', 'hint-revealed', 'mark', 'fault-reverted', 'fault-revert-failed', 'fault-observed']);

/** The latest few happenings, each stamped with the drill's clock. */
export class PanelLog {
  private readonly lines: string[] = [];
  constructor(private readonly size: number) {}
  add(elapsedMs: number, e: DrillEvent, state: DrillState): void {
    if (!LOGGED.has(e.type)) return;
    const { text } = eventText(e, (id) => state.faults.get(id)?.record.target);
    this.lines.push(`${formatDuration(elapsedMs).padStart(7)}  ${text}`);
    if (this.lines.length > this.size) this.lines.shift();
  }
  recent(): string[] {
    return [...this.lines];
  }
}

export function panelView(session: DrillSession, opts: DrillOptions, ready: Preflighted, scheduled: readonly Scheduled[], t0: number, log: PanelLog): PanelView {
  const now = session.clock.now();
  const { state } = session;
  const left = opts.scenario.hints.map((h, index) => ({ ...h, index })).filter((h) => !state.hints.some((r) => r.index === h.index));
  const timed = left.filter((h) => h.after !== undefined).map((h) => t0 + h.after! - now);
  return {
    drillId: session.drillId,
    title: opts.scenario.title,
    env: opts.env.name,
    mode: opts.mode,
    elapsedMs: now - t0,
    timeLimitMs: ready.timeLimitMs,
    faults: [
      ...[...state.faults.values()].map((f) => ({ target: f.record.target, kind: f.record.kind, status: f.status, reversible: f.record.reversible, deadlineInMs: f.record.deadline && (f.status === 'active' || f.status === 'intended') ? f.record.deadline - now : undefined })),
      ...scheduled.filter((d) => !d.started).flatMap((d) => d.planned.selection.targets.map((t) => ({ target: t.scope.resource, kind: d.planned.kind, status: 'scheduled', reversible: d.planned.injector.reversible, startsInMs: t0 + d.planned.atMs - now }))),
    ],
    probes: (ready.probes?.view() ?? []).map((p) => ({ name: p.name, ok: p.ok, detail: p.detail, sinceMs: p.since === undefined ? undefined : now - p.since })),
    hints: { revealed: state.hints.length, total: opts.scenario.hints.length, nextDueInMs: timed.length ? Math.max(0, Math.min(...timed)) : undefined, lastText: state.hints[state.hints.length - 1]?.text },
    marks: state.marks.filter((m) => m.mark !== 'note').map((m) => ({ mark: m.mark, atMs: Date.parse(m.at) - t0 })),
    log: log.recent(),
    ...(opts.scenario.checklist.length ? { steps: checklistView(opts, state, now) } : {}),
  };
}

function checklistView(opts: DrillOptions, state: DrillState, now: number): NonNullable<PanelView['steps']> {
  const list = opts.scenario.checklist;
  const next = list.findIndex((_, index) => !state.steps.some((s) => s.index === index));
  const start = state.startedAt ? Date.parse(state.startedAt) : now;
  const target = next >= 0 ? list[next]!.target : undefined;
  return { done: state.steps.length, total: list.length, next: next >= 0 ? list[next]!.step : undefined, nextDueInMs: target === undefined ? undefined : start + target - now };
}
