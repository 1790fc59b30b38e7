/**
 * Running the real `gameday` CLI as a child process in tests that kill it at chosen moments:
 * start it, wait (bounded) for a condition such as "the intent is journaled", read its journals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CliHarness {
  /** starts `gameday ...args` with stdout/stderr captured */
  start(...args: string[]): ChildProcess;
  /** everything the last started child printed */
  output(): string;
  /** the text of every journal under <cwd>/.gameday/drills */
  journalText(): string;
  /** polls `cond` until true, or throws after `ms` with what the child said */
  until(cond: () => boolean, what: string, ms?: number): Promise<void>;
}

export function cliHarness(bin: string, cwd: () => string, env: () => NodeJS.ProcessEnv): CliHarness {
  let out = '';
  return {
    start(...args) {
      out = '';
      const c = spawn(process.execPath, [bin, ...args], { cwd: cwd(), env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout?.on('data', (d) => (out += String(d)));
      c.stderr?.on('data', (d) => (out += String(d)));
      return c;
    },
    output: () => out,
    journalText() {
      const d = join(cwd(), '.gameday', 'drills');
      // journals only: the appenders' short-lived lock files come and go meanwhile
      const read = (f: string) => {
        try {
          return readFileSync(join(d, f), 'utf8');
        } catch {
          return '';
        }
      };
      return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.jsonl')).map(read).join('') : '';
    },
    async until(cond, what, ms = 30_000) {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if (cond()) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`timed out waiting for ${what}; child said:\n${out}`);
    },
  };
}

/** Resolves with the exit code (null when killed by a signal) once the child has exited. */
export const exited = (c: ChildProcess): Promise<number | null> =>
  new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));
