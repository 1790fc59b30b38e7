/**
 * The core never prints or prompts: it emits typed events and asks questions through a Host.
 * - the terminal host (src/cli/hosts/terminal.ts) renders them with colours and prompts;
 * - the unattended host takes every question's default (non-TTY with --yes, schedules, CI);
 * - the recording host answers from a script and records everything (tests).
 * Every question carries the default answer the unattended host will take.
 */
import type { DrillEvent } from './events.js';

export type Notice =
  | { type: 'progress'; message: string }
  | { type: 'info'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'success'; message: string };

/** What a host is shown: the journal's events as they are written, plus notices. */
export type HostEvent = DrillEvent | Notice;

export type Question =
  | { kind: 'confirm'; id: string; message: string; default: boolean }
  | { kind: 'input'; id: string; message: string; default: string }
  | { kind: 'select'; id: string; message: string; choices: { value: string; label: string }[]; default: string };

export type Answer<Q extends Question> = Q['default'];

export interface Host {
  readonly interactive: boolean;
  emit(event: HostEvent): void;
  ask<Q extends Question>(question: Q): Promise<Answer<Q>>;
}

/** Takes every default; renders nothing. The base for unattended runs and quiet tests. */
export class DefaultsHost implements Host {
  readonly interactive = false;
  readonly events: HostEvent[] = [];
  emit(event: HostEvent): void {
    this.events.push(event);
  }
  async ask<Q extends Question>(q: Q): Promise<Answer<Q>> {
    return q.default;
  }
}
