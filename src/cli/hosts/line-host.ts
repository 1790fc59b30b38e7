/**
 * A host that prints one line per event (format-event.ts) and answers questions with their
 * defaults: the host of `inject`, `halt`, `recover` and of scripts. Confirmation for mutating
 * commands is handled by the command before anything happens (--yes, or a TTY prompt).
 */
import type { Host, HostEvent, Question, Answer } from '../../core/host.js';
import type { Output } from '../context.js';
import { formatEvent } from '../format-event.js';

export class LineHost implements Host {
  readonly interactive = false;
  constructor(
    private readonly out: Output,
    private readonly filter: (e: HostEvent) => boolean = () => true,
  ) {}
  emit(e: HostEvent): void {
    if (!this.filter(e)) return;
    const line = formatEvent(e, this.out.color);
    if (line !== undefined) (e.type === 'warning' ? this.out.error : this.out.line)(line);
  }
  async ask<Q extends Question>(q: Q): Promise<Answer<Q>> {
    return q.default;
  }
}
