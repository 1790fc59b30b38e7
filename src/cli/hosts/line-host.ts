/**
 * A host that prints one line per event (the shared formatter in ./format.ts) and answers
 * questions with their defaults: the host of `inject`, `halt`, `recover` and of scripts.
 * Confirmation for mutating commands is asked by the command before anything happens.
 */
import type { Answer, Host, HostEvent, Question } from '../../core/host.js';
import type { Output } from '../context.js';
import { paint } from '../output.js';
import { hostEventFormatter } from './format.js';

export class LineHost implements Host {
  readonly interactive = false;
  private readonly format = hostEventFormatter();
  private readonly paint: ReturnType<typeof paint>;
  constructor(private readonly out: Output) {
    this.paint = paint(out.color);
  }
  emit(e: HostEvent): void {
    const f = this.format(e);
    const text = this.paint.tone(f.tone, f.text);
    if (e.type === 'warning') this.out.error(text);
    else this.out.line(text);
  }
  async ask<Q extends Question>(q: Q): Promise<Answer<Q>> {
    return q.default;
  }
}
