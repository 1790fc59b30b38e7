/**
 * A host that answers from a script and records everything: drives the drill engine in tests.
 * Reactions send keys when an event matches (e.g. press `h` then `d` when a probe breaks); keys sent
 * before the live loop listens are kept until it does.
 */
import { GamedayError } from '../../core/errors.js';
import type { Answer, HostEvent, Question } from '../../core/host.js';
import type { DrillHost, DrillKey, KeyListener, PanelView, Section } from '../../drill/host.js';

export interface Reaction {
  on: (e: HostEvent) => boolean;
  keys: (DrillKey | 'interrupt')[];
  /** wait this long before pressing (default 0) */
  delayMs?: number;
  /** react every time (default: once) */
  repeat?: boolean;
}

export interface RecordingScript {
  /** answers by question id; an array is consumed one answer per question */
  answers?: Record<string, string | boolean | (string | boolean)[]>;
  /** ms a question stays open before it is answered (a facilitator typing) */
  delays?: Record<string, number>;
  /** question ids that behave like a Ctrl-C inside the prompt */
  cancel?: string[];
  /** keys pressed as soon as the live loop listens */
  keysAtStart?: (DrillKey | 'interrupt')[];
  reactions?: Reaction[];
  /** called for every event (after recording): tests can abort a signal at a precise step */
  onEvent?: (e: HostEvent) => void;
  onQuestion?: (q: Question) => void;
}

export class RecordingHost implements DrillHost {
  readonly interactive = true;
  readonly events: HostEvent[] = [];
  readonly sections: Section[] = [];
  readonly panels: PanelView[] = [];
  readonly questions: Question[] = [];
  readonly keysSent: string[] = [];
  private listener: KeyListener | undefined;
  private pending: (DrillKey | 'interrupt')[] = [];
  private readonly reactions: (Reaction & { fired?: boolean })[];
  constructor(private readonly script: RecordingScript = {}) {
    this.reactions = (script.reactions ?? []).map((r) => ({ ...r }));
    this.pending.push(...(script.keysAtStart ?? []));
  }

  emit(e: HostEvent): void {
    this.events.push(e);
    this.script.onEvent?.(e);
    for (const r of this.reactions) {
      if (r.fired && !r.repeat) continue;
      if (!r.on(e)) continue;
      r.fired = true;
      setTimeout(() => this.press(...r.keys), r.delayMs ?? 0);
    }
  }

  async ask<Q extends Question>(q: Q): Promise<Answer<Q>> {
    this.questions.push(q);
    this.script.onQuestion?.(q);
    const delay = this.script.delays?.[q.id];
    if (delay) await new Promise((r) => setTimeout(r, delay));
    if (this.script.cancel?.includes(q.id)) throw new GamedayError('INTERRUPTED', `prompt "${q.id}" cancelled`);
    const a = this.script.answers?.[q.id];
    if (Array.isArray(a)) return (a.length ? a.shift() : q.default) as Answer<Q>;
    return (a ?? q.default) as Answer<Q>;
  }

  section(s: Section): void {
    this.sections.push(s);
  }
  panel(v: PanelView): void {
    this.panels.push(v);
  }
  listen(onKey: KeyListener): () => void {
    this.listener = onKey;
    const keys = this.pending.splice(0);
    setTimeout(() => this.press(...keys), 0);
    return () => {
      this.listener = undefined;
    };
  }
  endLive(): void {}

  /** presses keys now (or as soon as the live loop listens) */
  press(...keys: (DrillKey | 'interrupt')[]): void {
    for (const k of keys) {
      if (!this.listener) {
        this.pending.push(k);
        continue;
      }
      this.keysSent.push(k);
      this.listener(k);
    }
  }
}
