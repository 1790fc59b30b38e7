/**
 * What the drill engine needs from a host beyond the core Host (events + questions): blocks of text
 * (summary, plan, briefing, runbook, results), the live panel, and single keys during the drill.
 * The terminal host renders all of it; the unattended host prints plain lines and sends no keys;
 * the recording host drives tests from a script.
 */
import type { Host } from '../core/host.js';
import type { Row } from '../core/summary-rows.js';

export const DRILL_KEYS = ['h', 'd', 'g', 'm', 'c', 'n', 'r', 'x', 'q'] as const;
export type DrillKey = (typeof DRILL_KEYS)[number];
export const KEY_HELP: Record<DrillKey, string> = {
  h: 'hint',
  d: 'detected',
  g: 'root cause found',
  m: 'mitigated',
  c: 'step done',
  n: 'note',
  r: 'runbook',
  x: 'revert now',
  q: 'end drill',
};

export interface PanelView {
  drillId: string;
  title: string;
  env: string;
  mode: 'facilitated' | 'unattended';
  /** ms since the failure began */
  elapsedMs: number;
  timeLimitMs: number;
  faults: { target: string; kind: string; status: string; reversible: boolean; deadlineInMs?: number; /** a scheduled fault (`at:`) */ startsInMs?: number }[];
  probes: { name: string; ok: boolean | undefined; detail?: string; sinceMs?: number }[];
  hints: { revealed: number; total: number; nextDueInMs?: number; lastText?: string };
  marks: { mark: string; atMs: number }[];
  /** the checklist, when the scenario has one: steps done, and the next one with its target */
  steps?: { done: number; total: number; next?: string; nextDueInMs?: number };
  /** recent happenings, newest last */
  log: string[];
}

/** A line of a section: plain text (a briefing, a runbook's Markdown) or a row whose tone says what it means. */
export type SectionLine = string | Row;

export interface Section {
  kind: 'summary' | 'plan' | 'briefing' | 'runbook' | 'result' | 'info';
  title: string;
  lines: SectionLine[];
}

export const lineText = (l: SectionLine): string => (typeof l === 'string' ? l : l.text);

export type KeyListener = (key: DrillKey | 'interrupt') => void;

export interface DrillHost extends Host {
  section(section: Section): void;
  /** redraws the live panel (called about once a second and on every change) */
  panel(view: PanelView): void;
  /** starts delivering single keys; returns the function that stops it */
  listen(onKey: KeyListener): () => void;
  /** leaves the live screen: the panel stays as it last was, prompts and results follow */
  endLive(): void;
  /** aborts pending questions when the drill is interrupted */
  setSignal?(signal: AbortSignal): void;
}
