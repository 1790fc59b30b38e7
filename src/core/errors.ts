/**
 * Typed errors. Every failure a user can cause or meet carries a stable code, a one-line hint
 * that tells them what to do, and the underlying cause (shown only with --debug).
 * The CLI maps codes to exit codes in exactly one place (src/cli/exit-codes.ts).
 */
export type ErrorCode =
  | 'INVALID_INPUT' // bad flags, bad scenario, bad config: exit 2
  | 'NOT_FOUND' // unknown scenario / drill / environment: exit 2
  | 'GUARD_REFUSED' // a safety guard said no: exit 3
  | 'HALTED' // the halt flag is set: exit 3
  | 'LOCKED' // another drill holds the environment: exit 3
  | 'UNREACHABLE' // an API could not be reached: exit 3
  | 'TARGET_GONE' // a target vanished between plan and action
  | 'INJECT_FAILED'
  | 'REVERT_FAILED'
  | 'INTERRUPTED' // Ctrl-C / SIGTERM: exit 130
  | 'OBJECTIVES_FAILED' // a drill ran but missed its objectives: exit 1
  | 'BACKEND_FAILED' // the sandbox or a provisioning step failed
  | 'INTERNAL';

export class GamedayError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  constructor(code: ErrorCode, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GamedayError';
    this.code = code;
    this.hint = opts.hint;
  }
}

export const isGamedayError = (e: unknown): e is GamedayError => e instanceof GamedayError;

/** A short, single-line description of any thrown value. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name;
  return String(e).split('\n')[0] ?? 'unknown error';
}
