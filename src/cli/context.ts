/**
 * What every command receives. Built once in main.ts; commands never read process.argv,
 * never call process.exit, and return an exit code from EXIT (or throw a GamedayError).
 */
import type { LoadedConfig } from '../adapters/config-store.js';

export interface Output {
  /** a line to stdout */
  line(text?: string): void;
  /** a line to stderr */
  error(text: string): void;
  /** raw write to stdout (panels, progress) */
  write(text: string): void;
  readonly isTTY: boolean;
  readonly color: boolean;
}

export interface CommandContext {
  out: Output;
  cwd: string;
  debug: boolean;
  /** --config FILE, if given */
  configFile: string | undefined;
  /** reads gameday.yaml (+ the sandbox's registration) on demand */
  config(): LoadedConfig;
  /** aborted on Ctrl-C / SIGTERM: long operations stop and roll back */
  signal: AbortSignal;
  stdinIsTTY: boolean;
}

export type CommandOptions = Record<string, unknown>;
export type CommandRun = (ctx: CommandContext, args: string[], opts: CommandOptions) => Promise<number>;
