/**
 * One line per event for the plain (non-panel) output of inject, halt, recover and unattended
 * runs. Exhaustive over the union: a new event kind does not compile until it has a line here.
 */
import { formatDuration } from '../core/duration.js';
import type { HostEvent } from '../core/host.js';
import { paint } from './output.js';

export function formatEvent(e: HostEvent, color: boolean): string | undefined {
  const p = paint(color);
  switch (e.type) {
    case 'progress':
      return p.dim(`… ${e.message}`);
    case 'info':
      return e.message;
    case 'warning':
      return p.yellow(`! ${e.message}`);
    case 'success':
      return p.green(`✓ ${e.message}`);
    case 'drill-started':
      return p.bold(`drill ${e.drillId} started (${e.mode}${e.scenario ? `, ${e.scenario}` : ''}) on ${e.env}`);
    case 'preflight':
      return e.ok ? p.green('✓ preflight passed') : p.red(`✗ preflight failed: ${e.checks.filter((c) => !c.ok).map((c) => `${c.name}${c.detail ? ` (${c.detail})` : ''}`).join(', ')}`);
    case 'plan':
      return p.dim(`plan: ${e.faults.map((f) => `${f.kind} × ${f.targets.length}`).join(', ') || 'no faults (tabletop)'}`);
    case 'fault-intent':
      return p.dim(`→ ${e.record.kind} ${e.record.target}: intent journaled`);
    case 'fault-injected':
      return p.red(`⚡ ${e.faultId} injected`);
    case 'fault-inject-failed':
      return p.red(`✗ ${e.faultId} failed: ${e.error}`);
    case 'fault-verified':
      return e.ok ? p.dim(`✓ ${e.faultId} verified ${e.phase}${e.detail ? `: ${e.detail}` : ''}`) : p.yellow(`! ${e.faultId} not verified ${e.phase}${e.detail ? `: ${e.detail}` : ''}`);
    case 'fault-observed':
      return p.cyan(`◎ ${e.faultId}: ${observation(e.detail)}`);
    case 'fault-revert-started':
      return p.dim(`↺ ${e.faultId}: reverting (${e.reason})`);
    case 'fault-reverted':
      return p.green(`✓ ${e.faultId} ${e.outcome === 'reverted' ? 'reverted' : 'was already reverted'}${e.detail?.note ? ` — ${String(e.detail.note)}` : ''}`);
    case 'fault-revert-failed':
      return p.red(`✗ ${e.faultId} revert failed: ${e.error}`);
    case 'probe-result':
      return e.ok ? p.green(`● ${e.probe} ok${e.detail ? `: ${e.detail}` : ''}`) : p.red(`● ${e.probe} FAILING${e.detail ? `: ${e.detail}` : ''}`);
    case 'hint-revealed':
      return p.cyan(`💡 hint ${e.index + 1}: ${e.text}`);
    case 'mark':
      return p.bold(`⚑ ${e.mark}${e.text ? `: ${e.text}` : ''}`);
    case 'reaper-started':
      return p.dim(`deadline keeper (pid ${e.pid}) reverts at ${new Date(e.deadline).toLocaleTimeString()}`);
    case 'debrief':
      return p.dim('debrief recorded');
    case 'drill-ended':
      return p.bold(`drill ${e.drillId} ended: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`);
  }
}

function observation(d: Record<string, unknown>): string {
  if (typeof d.message === 'string') return d.message;
  const parts = Object.entries(d).map(([k, v]) => (typeof v === 'number' && /ms$/i.test(k) ? `${k.replace(/Ms$/, '')} ${formatDuration(v)}` : `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`));
  return parts.join(', ');
}
