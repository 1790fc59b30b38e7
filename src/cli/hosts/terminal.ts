/**
 * The facilitator's terminal: inquirer prompts, chalk colours (off with NO_COLOR or without a TTY),
 * and a live panel redrawn in place — elapsed time, faults with their deadlines, probes with the
 * time since they changed, hints revealed/due/remaining, marks, and the latest happenings.
 * Single keys in raw mode: h d g m n r x q; Ctrl-C interrupts (revert, exit 130).
 * Imported only by `gameday run` on a terminal: chalk and inquirer stay out of light commands.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { confirm, input, select } from '@inquirer/prompts';
import { formatClock, formatDuration } from '../../core/duration.js';
import { GamedayError } from '../../core/errors.js';
import type { Answer, HostEvent, Question } from '../../core/host.js';
import { DRILL_KEYS, KEY_HELP, type DrillHost, type DrillKey, type KeyListener, type PanelView, type Section } from '../../drill/host.js';
import { hostEventFormatter, type Tone } from './format.js';

export interface TerminalIO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  color: boolean;
}

export class TerminalHost implements DrillHost {
  readonly interactive = true;
  private readonly format = hostEventFormatter();
  private readonly c: ChalkInstance;
  private drawn = 0;
  private live = false;
  private keyListener: KeyListener | undefined;
  private onData: ((d: Buffer) => void) | undefined;
  private signal: AbortSignal | undefined;
  private notices: string[] = [];
  private lastView: PanelView | undefined;

  constructor(private readonly io: TerminalIO = { stdin: process.stdin, stdout: process.stdout, color: true }) {
    this.c = new Chalk({ level: io.color ? 2 : 0 });
  }

  private write(s: string): void {
    this.io.stdout.write(s);
  }
  private tone(t: Tone, s: string): string {
    const c = this.c;
    return t === 'good' ? c.green(s) : t === 'bad' ? c.red.bold(s) : t === 'warn' ? c.yellow(s) : t === 'info' ? c.cyan(s) : t === 'dim' ? c.dim(s) : s;
  }

  // ── the live panel ────────────────────────────────────────────────────────────────────────
  private erase(): void {
    if (this.drawn > 0) this.write(`\u001b[${this.drawn}F\u001b[J`);
    this.drawn = 0;
  }

  panel(v: PanelView): void {
    this.lastView = v;
    if (!this.live) {
      this.live = true;
      this.write('\u001b[?25l'); // hide the cursor while the panel is up
    }
    const lines = this.render(v);
    const width = Math.max(40, (this.io.stdout.columns ?? 100) - 1);
    this.erase();
    // never let a line wrap: the redraw counts lines
    this.write(lines.map((l) => truncate(l, width)).join('\n') + '\n');
    this.drawn = lines.length;
  }

  private render(v: PanelView): string[] {
    const c = this.c;
    const out: string[] = [];
    const left = v.timeLimitMs - v.elapsedMs;
    out.push(`${c.bold(`⏱  ${formatClock(v.elapsedMs)}`)}  ${c.bold(v.title)} ${c.dim(`· ${v.env} · ${v.drillId}`)}  ${c.dim(`ends in ${formatClock(left)}`)}`);
    out.push(c.dim('─'.repeat(60)));
    if (v.faults.length === 0) out.push(`${c.bold('Faults')}  none (tabletop)`);
    for (const f of v.faults) {
      const st = f.status === 'active' || f.status === 'intended' ? c.yellow(f.status) : f.status === 'reverted' || f.status === 'done' ? c.green(f.status) : f.status === 'scheduled' ? c.dim(f.status) : c.red(f.status);
      const dl = f.startsInMs !== undefined ? c.dim(`  starts in ${formatClock(f.startsInMs)}`) : f.deadlineInMs !== undefined ? c.dim(`  reverts in ${formatClock(f.deadlineInMs)}`) : f.reversible ? '' : c.dim('  one-shot');
      out.push(`${c.bold('Fault')}   ${f.target} ${c.dim(f.kind)}  ${st}${dl}`);
    }
    if (v.probes.length === 0) out.push(`${c.bold('Probes')}  none`);
    for (const p of v.probes) {
      const st = p.ok === undefined ? c.dim('…') : p.ok ? c.green('● healthy') : c.red.bold('● BROKEN ');
      out.push(`${c.bold('Probe')}   ${p.name.padEnd(20)} ${st}  ${c.dim(`${p.detail ?? ''}${p.sinceMs !== undefined ? ` · for ${formatDuration(p.sinceMs)}` : ''}`)}`);
    }
    const h = v.hints;
    out.push(`${c.bold('Hints')}   ${h.revealed}/${h.total} revealed, ${h.total - h.revealed} remaining${h.nextDueInMs !== undefined ? `, next due in ${formatClock(h.nextDueInMs)}` : ''}`);
    if (h.lastText) out.push(`        ${c.cyan(`“${h.lastText}”`)}`);
    if (v.steps) {
      const due = v.steps.nextDueInMs === undefined ? '' : v.steps.nextDueInMs < 0 ? c.red(` — ${formatClock(-v.steps.nextDueInMs)} late`) : ` — due in ${formatClock(v.steps.nextDueInMs)}`;
      out.push(`${c.bold('Steps')}   ${v.steps.done}/${v.steps.total} done${v.steps.next ? `, next: ${v.steps.next}${due}` : ''}`);
    }
    out.push(`${c.bold('Marks')}   ${v.marks.length ? v.marks.map((m) => `${m.mark} @ ${formatClock(m.atMs)}`).join('  ') : c.dim('none yet')}`);
    out.push(c.dim('─'.repeat(60)));
    for (const l of v.log.slice(-5)) out.push(c.dim(l));
    for (const n of this.notices.slice(-2)) out.push(n);
    out.push(DRILL_KEYS.map((k) => `${c.inverse(` ${k} `)} ${KEY_HELP[k]}`).join('  '));
    return out;
  }

  endLive(): void {
    if (!this.live) return;
    this.live = false;
    this.write('\u001b[?25h\n');
    this.drawn = 0;
  }

  // ── keys ──────────────────────────────────────────────────────────────────────────────────
  listen(onKey: KeyListener): () => void {
    this.keyListener = onKey;
    this.attachKeys();
    return () => {
      this.detachKeys();
      this.keyListener = undefined;
    };
  }
  private attachKeys(): void {
    const { stdin } = this.io;
    if (!this.keyListener || this.onData || !stdin.isTTY) return;
    this.onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\u0003') {
          this.notices.push(this.c.yellow('Ctrl-C: reverting and ending the drill…'));
          this.keyListener?.('interrupt');
          continue;
        }
        const k = ch.toLowerCase();
        if ((DRILL_KEYS as readonly string[]).includes(k)) this.keyListener?.(k as DrillKey);
      }
    };
    stdin.setRawMode(true);
    stdin.on('data', this.onData);
    stdin.resume();
  }
  private detachKeys(): void {
    const { stdin } = this.io;
    if (!this.onData) return;
    stdin.off('data', this.onData);
    this.onData = undefined;
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
  }

  // ── events, sections, questions ───────────────────────────────────────────────────────────
  emit(e: HostEvent): void {
    const f = this.format(e);
    if (this.live) {
      // the panel's log shows journal events; notices go under it
      if (!('seq' in e)) {
        this.notices.push(this.tone(f.tone, f.text));
        if (this.notices.length > 4) this.notices.shift();
        if (this.lastView) this.panel(this.lastView);
      }
      return;
    }
    if (e.type === 'fault-intent' || e.type === 'fault-verified' || e.type === 'fault-observed' || e.type === 'plan') return;
    this.write(`${this.tone(f.tone, f.text)}\n`);
  }

  section(s: Section): void {
    const c = this.c;
    const wasLive = this.live;
    if (wasLive) this.erase();
    const head = s.kind === 'briefing' ? c.bgYellow.black(` ${s.title} `) : s.kind === 'result' ? c.bgCyan.black(` ${s.title} `) : c.bold.underline(s.title);
    const body = s.lines.map((l) => (typeof l !== 'string' ? `  ${this.tone(l.tone, l.text)}` : s.kind === 'briefing' ? `  ${c.bold(l)}` : `  ${markdownLine(c, l)}`));
    this.write(`\n${head}\n${body.join('\n')}\n\n`);
    if (wasLive) this.drawn = 0; // the panel is redrawn below the text
    if (wasLive && this.lastView) this.panel(this.lastView);
  }

  setSignal(signal: AbortSignal): void {
    this.signal = signal;
  }

  async ask<Q extends Question>(q: Q): Promise<Answer<Q>> {
    const wasListening = Boolean(this.onData);
    const wasLive = this.live;
    if (wasListening) this.detachKeys();
    if (wasLive) {
      this.erase();
      this.write('\u001b[?25h');
    }
    const context = { signal: this.signal, input: this.io.stdin, output: this.io.stdout, clearPromptOnDone: wasLive };
    try {
      let answer: unknown;
      if (q.kind === 'confirm') answer = await confirm({ message: q.message, default: q.default }, context);
      else if (q.kind === 'input') answer = await input({ message: q.message, default: q.default || undefined }, context);
      else answer = await select({ message: q.message, choices: q.choices.map((ch) => ({ value: ch.value, name: ch.label })), default: q.default }, context);
      return answer as Answer<Q>;
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError') throw new GamedayError('INTERRUPTED', `prompt cancelled (${name === 'ExitPromptError' ? 'Ctrl-C' : 'interrupted'})`, { cause: e });
      throw e;
    } finally {
      if (wasLive) {
        this.write('\u001b[?25l');
        this.drawn = 0;
        if (this.live && this.lastView) this.panel(this.lastView);
      }
      if (wasListening && this.keyListener) this.attachKeys();
    }
  }
}

/** Plain section text is Markdown (a summary, a runbook): headings stand out. Meaning comes as rows with a tone. */
function markdownLine(c: ChalkInstance, l: string): string {
  return /^#{1,6} /.test(l) ? c.bold(l) : l;
}

/** Cuts a line to `width` visible characters, keeping ANSI colour codes intact. */
export function truncate(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\u001b') {
      // eslint-disable-next-line no-control-regex
      const m = /^\u001b\[[0-9;?]*[A-Za-z]/.exec(line.slice(i));
      if (m) {
        out += m[0];
        i += m[0].length - 1;
        continue;
      }
    }
    if (visible >= width) continue;
    out += line[i];
    visible++;
  }
  return visible >= width ? `${out}\u001b[0m` : out;
}
