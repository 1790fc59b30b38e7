/**
 * One formatter per host event kind, checked for exhaustiveness by the compiler: the terminal and
 * unattended hosts print journal events and notices through this. Plain text; colour is the host's.
 */
import { formatDuration } from '../../core/duration.js';
import type { HostEvent } from '../../core/host.js';

export type Tone = 'plain' | 'dim' | 'good' | 'bad' | 'warn' | 'info';

export function formatHostEvent(e: HostEvent): { text: string; tone: Tone } | undefined {
  switch (e.type) {
    case 'progress':
      return { text: `… ${e.message}`, tone: 'dim' };
    case 'info':
      return { text: e.message, tone: 'info' };
    case 'warning':
      return { text: `⚠ ${e.message}`, tone: 'warn' };
    case 'success':
      return { text: `✔ ${e.message}`, tone: 'good' };
    case 'drill-started':
      return { text: `drill ${e.drillId} started on ${e.env}${e.scenario ? ` (${e.scenario})` : ''}`, tone: 'info' };
    case 'preflight':
      return { text: `preflight ${e.ok ? 'passed' : 'FAILED'}: ${e.checks.map((c) => `${c.ok ? '✔' : '✘'} ${c.name}`).join('  ')}`, tone: e.ok ? 'good' : 'bad' };
    case 'plan':
      return { text: `plan: ${e.faults.map((f) => `${f.kind} × ${f.targets.length}`).join(', ') || 'no faults'}`, tone: 'dim' };
    case 'fault-intent':
      return { text: `intent journaled: ${e.record.kind} on ${e.record.target}`, tone: 'dim' };
    case 'fault-injected':
      return { text: `injected ${e.faultId}`, tone: 'warn' };
    case 'fault-inject-failed':
      return { text: `inject FAILED ${e.faultId}: ${e.error}`, tone: 'bad' };
    case 'fault-verified':
      return { text: `verified ${e.faultId} (${e.phase}): ${e.ok ? 'ok' : 'NOT ok'}${e.detail ? ` — ${e.detail}` : ''}`, tone: e.ok ? 'dim' : 'warn' };
    case 'fault-observed':
      return { text: `observed ${e.faultId}: ${observation(e.detail)}`, tone: 'info' };
    case 'fault-revert-started':
      return { text: `reverting ${e.faultId} (${e.reason})`, tone: 'dim' };
    case 'fault-reverted':
      return { text: `reverted ${e.faultId}${e.outcome === 'already-reverted' ? ' (already gone)' : ''}`, tone: 'good' };
    case 'fault-revert-failed':
      return { text: `revert FAILED ${e.faultId}: ${e.error}`, tone: 'bad' };
    case 'probe-result':
      return { text: `probe ${e.probe}: ${e.ok ? 'healthy' : 'BROKEN'}${e.detail ? ` (${e.detail})` : ''}`, tone: e.ok ? 'good' : 'bad' };
    case 'hint-revealed':
      return { text: `hint ${e.index + 1}${e.trigger === 'timed' ? ' (timed)' : ''}: ${e.text}`, tone: 'info' };
    case 'mark':
      return { text: e.mark === 'note' ? `note: ${e.text ?? ''}` : `marked: ${e.mark}`, tone: 'info' };
    case 'reaper-started':
      return { text: `reaper ${e.pid} watches the deadline`, tone: 'dim' };
    case 'debrief':
      return { text: 'debrief recorded', tone: 'dim' };
    case 'drill-ended':
      return { text: `drill ended: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`, tone: e.reason === 'completed' ? 'good' : 'warn' };
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** Recovery evidence reads as "readyAfter 212ms, replacement=shop/checkout-x" rather than JSON. */
function observation(d: Record<string, unknown>): string {
  if (typeof d.message === 'string') return d.message;
  return Object.entries(d)
    .map(([k, v]) => (typeof v === 'number' && /Ms$/.test(k) ? `${k.slice(0, -2)} ${formatDuration(v)}` : `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`))
    .join(', ');
}
