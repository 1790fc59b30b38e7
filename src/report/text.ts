/** Shared wording for the renderers: plain language a non-technical reader follows. */
import { formatDuration } from '../core/duration.js';
import type { Measure } from '../drill/summary.js';

export const fmt = (ms: number | undefined): string => (ms === undefined ? '—' : formatDuration(ms));
export const offset = (ms: number): string => (ms < 0 ? `-${formatDuration(-ms)}` : `+${formatDuration(ms)}`);

export function verdict(m: Measure): string {
  if (!m.applicable) return 'not applicable';
  if (m.objectiveMs === undefined) return m.ms === undefined ? 'did not happen' : 'no objective';
  return m.met ? 'met' : m.ms === undefined ? 'missed (did not happen)' : 'missed (late)';
}

export const END_WORDS: Record<string, string> = {
  completed: 'completed',
  interrupted: 'interrupted (everything was reverted)',
  failed: 'failed (everything was reverted)',
  halted: 'halted',
  aborted: 'not started',
};
