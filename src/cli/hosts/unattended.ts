/**
 * The unattended host: takes every question's default, sends no keys, and prints plain lines
 * (no colours, no redraws) — for `--yes`, CronJobs and CI logs.
 */
import type { Answer, HostEvent, Question } from '../../core/host.js';
import { formatClock } from '../../core/duration.js';
import { lineText, type DrillHost, type PanelView, type Section } from '../../drill/host.js';
import type { Output } from '../context.js';
import { hostEventFormatter } from './format.js';

export class UnattendedHost implements DrillHost {
  readonly interactive = false;
  private readonly format = hostEventFormatter();
  private lastPanel = 0;
  constructor(private readonly out: Output, private readonly opts: { panelEveryMs?: number; quiet?: boolean } = {}) {}

  emit(e: HostEvent): void {
    if (this.opts.quiet) return;
    const f = this.format(e);
    if ((f.tone === 'dim' && e.type !== 'progress')) return;
    const stamp = new Date().toISOString().slice(11, 19);
    this.out.line(`${stamp} ${f.text}`);
  }
  async ask<Q extends Question>(q: Q): Promise<Answer<Q>> {
    return q.default;
  }
  section(s: Section): void {
    if (this.opts.quiet) return;
    this.out.line('');
    this.out.line(`== ${s.title} ==`);
    for (const l of s.lines) this.out.line(lineText(l));
    this.out.line('');
  }
  panel(v: PanelView): void {
    const every = this.opts.panelEveryMs ?? 15_000;
    if (this.opts.quiet || Date.now() - this.lastPanel < every) return;
    this.lastPanel = Date.now();
    const probes = v.probes.map((p) => `${p.name}=${p.ok === undefined ? '?' : p.ok ? 'ok' : 'BROKEN'}`).join(' ');
    const faults = v.faults.map((f) => `${f.target}:${f.status}`).join(' ');
    this.out.line(`${new Date().toISOString().slice(11, 19)} [${formatClock(v.elapsedMs)}] ${probes || 'no probes'} | ${faults || 'no faults'}`);
  }
  listen(): () => void {
    return () => {};
  }
  endLive(): void {}
}
