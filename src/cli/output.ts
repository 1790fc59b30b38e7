import type { Tone } from '../core/event-text.js';
import type { Output } from './context.js';

/** Colour only on a TTY, never with NO_COLOR (https://no-color.org) or FORCE_COLOR=0. */
export function colorEnabled(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR === '0') return false;
  if (process.env.FORCE_COLOR) return true;
  return Boolean(stream.isTTY);
}

let stdoutClosed = false;
let stderrClosed = false;
// `gameday status | head` closes the pipe early: stop writing instead of crashing (a drill may
// still be reverting faults, and output is never worth leaving one active)
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') stdoutClosed = true;
  else throw e;
});
process.stderr.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') stderrClosed = true;
  else throw e;
});

export function processOutput(): Output {
  return {
    line: (t = '') => void (stdoutClosed || process.stdout.write(`${t}\n`)),
    error: (t) => void (stderrClosed || process.stderr.write(`${t}\n`)),
    write: (t) => void (stdoutClosed || process.stdout.write(t)),
    isTTY: Boolean(process.stdout.isTTY),
    color: colorEnabled(process.stdout),
  };
}

/**
 * Whether stdin is a terminal — asked only when a command needs to know (a confirmation, the
 * drill's keys): node:tty loads net and streams, ≈ 4 ms of start-up that `list` never needed
 * (issue 15). Not process.stdin.isTTY: that builds the stdin stream itself.
 */
export function stdinIsTerminal(): boolean {
  return process.getBuiltinModule('node:tty').isatty(0);
}

/** A tiny colour helper that does not load chalk (light commands stay light). */
export function paint(color: boolean) {
  const wrap = (open: number, close: number) => (s: string) => (color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  const colours = { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
  const byTone: Record<Tone, (s: string) => string> = { plain: (s) => s, dim: colours.dim, good: colours.green, bad: colours.red, warn: colours.yellow, info: colours.cyan };
  /** a row's meaning as colour: the one mapping of tones for the light commands */
  const tone = (t: Tone, s: string) => byTone[t](s);
  return { ...colours, tone };
}
