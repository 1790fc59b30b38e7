/**
 * The only place that decides exit codes (documented in the README):
 *   0 ok · 1 a drill failed its objectives · 2 invalid input or usage ·
 *   3 environment unreachable or refused by a guard · 70 an unexpected error (a bug in gameday;
 *   EX_SOFTWARE of sysexits.h), so a script can tell it from a usage error · 130 interrupted.
 */
import type { ErrorCode } from '../core/errors.js';

export const EXIT = { ok: 0, objectivesFailed: 1, invalid: 2, refused: 3, bug: 70, interrupted: 130 } as const;
/** Every code gameday may exit with (tests check that nothing else escapes). */
export const EXIT_CODES: readonly number[] = Object.values(EXIT);
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeFor(code: ErrorCode): ExitCode {
  switch (code) {
    case 'INVALID_INPUT':
    case 'NOT_FOUND':
      return EXIT.invalid;
    case 'GUARD_REFUSED':
    case 'HALTED':
    case 'LOCKED':
    case 'UNREACHABLE':
    case 'TARGET_GONE':
    case 'INJECT_FAILED':
    case 'REVERT_FAILED':
    case 'BACKEND_FAILED':
      return EXIT.refused;
    case 'INTERRUPTED':
      return EXIT.interrupted;
    case 'OBJECTIVES_FAILED':
      return EXIT.objectivesFailed;
    case 'INTERNAL':
      return EXIT.bug;
  }
}
