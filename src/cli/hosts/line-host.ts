/**
 * A host that prints one line per event (the shared formatter in ./format.ts) and answers
 * questions with their defaults: the host of `inject`, `halt`, `recover` and of scripts.
 * Confirmation for mutating commands is asked by the command before anything happens.
 */
import type { Answer, Host, HostEvent, Question } from '../../core/host.js';
import type { Output } from '../context.js';
import { paint } from '../output.js';
import { formatHostEvent, type Tone } from './format.js';

export class LineHost implements Host {
  readonly interactive = false;
  private readonly colour: Record<Tone, (s: string) => string>;
  constructor(private readonly out: Output) {
    const p = paint(out.color);
    this.colour = { plain: (s) => s, dim: p.dim, good: p.green, bad: p.red, warn: p.yellow, info: p.cyan };
  }
  emit(e: HostEvent): void {
    const f = formatHostEvent(e);
    if (!f) return;
    const text = this.colour[f.tone](f.text);
    if (e.type === 'warning') this.out.error(text);
    else this.out.line(text);
  }
  async ask<Q extends Question>(q: Q): Promise<Answer<Q>> {
    return q.default;
  }
}
