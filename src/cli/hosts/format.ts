/**
 * What the terminal and unattended hosts print for each host event: journal events through the one
 * formatter per kind (core/event-text.ts), notices here. Plain text and a tone; colour is the host's.
 */
import { eventText, targetMemory, type EventText } from '../../core/event-text.js';
import type { HostEvent, Notice } from '../../core/host.js';

export type { Tone } from '../../core/event-text.js';

const NOTICES: { [T in Notice['type']]: (message: string) => EventText } = {
  progress: (m) => ({ text: `… ${m}`, tone: 'dim' }),
  info: (m) => ({ text: m, tone: 'info' }),
  warning: (m) => ({ text: `⚠ ${m}`, tone: 'warn' }),
  success: (m) => ({ text: `✔ ${m}`, tone: 'good' }),
};

const isNotice = (e: HostEvent): e is Notice => !('seq' in e);

/** A formatter for one stream of host events: it names faults by the targets their intents gave. */
export function hostEventFormatter(): (e: HostEvent) => EventText {
  const targets = targetMemory();
  return (e) => {
    if (isNotice(e)) return NOTICES[e.type](e.message);
    targets.see(e);
    return eventText(e, targets.targetOf);
  };
}
