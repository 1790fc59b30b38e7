/**
 * One formatter per journal event kind: the terminal, the unattended log, the live panel's log, the
 * summary timeline and every report say the same thing about the same fact. The table is typed
 * over every event type, so a new kind does not compile until it has its sentence. Plain text plus
 * a tone (what it means, not a colour): each host decides how a tone looks.
 */
import { formatDuration } from './duration.js';
import type { DrillEvent, DrillEventType, EventOf } from './events.js';

/** What a line means; hosts map tones to colours (or to nothing). */
export type Tone = 'plain' | 'dim' | 'good' | 'bad' | 'warn' | 'info';

export interface EventText {
  text: string;
  tone: Tone;
  /** for timelines: a check that passed (true) or a failure (false); undefined when neither */
  ok?: boolean;
}

/** Fault ids read as their targets ("pod shop/checkout-7d9c") where the reader knows them. */
export type TargetOf = (faultId: string) => string | undefined;

type Formatter<T extends DrillEventType> = (e: EventOf<T>, target: (faultId: string) => string) => EventText;

const FORMATTERS: { [T in DrillEventType]: Formatter<T> } = {
  'drill-started': (e) => ({ text: `Drill ${e.drillId} started (${e.mode}) on ${e.env}${e.scenario ? `: ${e.scenario}` : ''}`, tone: 'info' }),
  preflight: (e) =>
    e.ok
      ? { text: `Preflight passed (${e.checks.length} check${e.checks.length === 1 ? '' : 's'})`, tone: 'good', ok: true }
      : { text: `Preflight failed: ${e.checks.filter((c) => !c.ok).map((c) => c.name).join(', ')}`, tone: 'bad', ok: false },
  plan: (e) => ({ text: `Plan: ${e.faults.map((f) => `${f.kind} × ${f.targets.length}`).join(', ') || 'no faults (a tabletop drill)'}`, tone: 'dim' }),
  'fault-intent': (e) => ({ text: `Intent journaled: ${e.record.kind} on ${e.record.target}`, tone: 'dim' }),
  'fault-injected': (e, target) => ({ text: `Fault injected: ${target(e.faultId)}`, tone: 'warn' }),
  'fault-inject-failed': (e, target) => ({ text: `Fault failed: ${target(e.faultId)} (${e.error})`, tone: 'bad', ok: false }),
  'fault-verified': (e, target) => ({ text: `Verified ${target(e.faultId)} (${e.phase}): ${e.ok ? 'ok' : 'NOT ok'}${e.detail ? ` — ${e.detail}` : ''}`, tone: e.ok ? 'dim' : 'warn' }),
  'fault-observed': (e, target) => observed(e.detail, target(e.faultId)),
  'fault-revert-started': (e, target) => ({ text: `Reverting ${target(e.faultId)} (${e.reason})`, tone: 'dim' }),
  'fault-reverted': (e, target) => ({ text: `Fault reverted: ${target(e.faultId)}${e.outcome === 'already-reverted' ? ' (already gone)' : ''}`, tone: 'good' }),
  'fault-revert-failed': (e, target) => ({ text: `Revert FAILED: ${target(e.faultId)} (${e.error})`, tone: 'bad', ok: false }),
  'probe-result': (e) => ({ text: `Probe ${e.probe}: ${e.ok ? 'healthy' : 'BROKEN'}${e.detail ? ` (${e.detail})` : ''}`, tone: e.ok ? 'good' : 'bad', ok: e.ok }),
  'hint-revealed': (e) => ({ text: `Hint ${e.index + 1} revealed${e.trigger === 'timed' ? ' (timed)' : ''}: ${e.text}`, tone: 'info' }),
  'step-done': (e) => ({ text: `Step ${e.index + 1} done: ${e.step}`, tone: 'good' }),
  mark: (e) => ({ text: e.mark === 'note' ? `Note: ${e.text ?? ''}` : `Team ${e.mark}${e.text ? `: ${e.text}` : ''}`, tone: 'info' }),
  'reaper-started': (e) => ({ text: `Deadline keeper (pid ${e.pid}) reverts at ${new Date(e.deadline).toISOString().slice(11, 19)} UTC`, tone: 'dim' }),
  debrief: () => ({ text: 'Debrief recorded', tone: 'dim' }),
  'drill-ended': (e) => ({ text: `Drill ended: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`, tone: e.reason === 'completed' ? 'good' : 'warn' }),
};

/** The sentence for one journal event. */
export function eventText(e: DrillEvent, targetOf: TargetOf = () => undefined): EventText {
  const format = FORMATTERS[e.type] as Formatter<typeof e.type>;
  return format(e as never, (id) => targetOf(id) ?? id);
}

/** Recovery evidence reads as "replaced by shop/checkout-b, Ready 3s after the kill" rather than JSON. */
function observed(d: Record<string, unknown>, target: string): EventText {
  if (typeof d.replacement === 'string') {
    return { text: `Recovery evidence: ${target} replaced by ${d.replacement}${typeof d.readyAfterMs === 'number' ? `, Ready ${formatDuration(d.readyAfterMs)} after the kill` : ''}`, tone: 'info' };
  }
  if (typeof d.error === 'string') return { text: `Observation of ${target} failed: ${d.error}`, tone: 'warn', ok: false };
  if (typeof d.message === 'string') return { text: `Observed ${target}: ${d.message}`, tone: 'info' };
  const facts = Object.entries(d).map(([k, v]) => (typeof v === 'number' && /Ms$/.test(k) ? `${k.slice(0, -2)} ${formatDuration(v)}` : `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`));
  return { text: `Observed ${target}: ${facts.join(', ').slice(0, 160)}`, tone: 'info' };
}

/**
 * Remembers each fault's target from the `fault-intent` events seen so far: a host that renders
 * events as they stream (and holds no drill state) still names targets rather than fault ids.
 */
export function targetMemory(): { see(e: DrillEvent): void; targetOf: TargetOf } {
  const targets = new Map<string, string>();
  return {
    see: (e) => void (e.type === 'fault-intent' && targets.set(e.record.faultId, e.record.target)),
    targetOf: (id) => targets.get(id),
  };
}
