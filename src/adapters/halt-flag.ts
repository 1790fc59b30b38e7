/**
 * The stop-everything lever: a flag file in the state directory. While set (globally or for an
 * environment), every `inject` and `run` refuses. Set by `gameday halt`, cleared by `--clear`.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GamedayError } from '../core/errors.js';
import { clearHaltFlag, haltedBecause, haltFlagRows, haltFlagsFrom, haltStateIn, noHaltFlags, setHaltFlag, storedHaltFlags, type HaltFlagRow, type HaltFlags, type HaltState } from '../core/halt-flags.js';
import { errnoText, readRegularFile } from './regular-file.js';

/**
 * Calls `onHalt` once, within `everyMs`, after `look()` first says halted; a `look` that throws
 * is a blip and is asked again next time. Returns the stop function. Shared by every halt store.
 */
export function watchUntilHalted(look: () => HaltState, onHalt: (reason: string | undefined) => void, everyMs: number): () => void {
  const t = setInterval(() => {
    let s: HaltState;
    try {
      s = look();
    } catch {
      return;
    }
    if (!s.halted) return;
    clearInterval(t);
    onHalt(s.reason);
  }, everyMs);
  t.unref?.();
  return () => clearInterval(t);
}

export class HaltFlag {
  readonly file: string;
  constructor(stateDir: string) {
    this.file = join(stateDir, 'halt.json');
  }
  private read(): HaltFlags {
    if (!existsSync(this.file)) return noHaltFlags();
    try {
      // a FIFO or a huge file in its place must not hang or exhaust `halt`: read it as a regular file
      return haltFlagsFrom(JSON.parse(readRegularFile(this.file, { what: 'halt flag', maxBytes: 1024 * 1024 }).toString('utf8')));
    } catch {
      // an unreadable flag file is treated as set: fail safe
      return haltedBecause(`unreadable ${this.file}`);
    }
  }
  private write(f: HaltFlags): void {
    try {
      mkdirSync(join(this.file, '..'), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(storedHaltFlags(f, new Date().toISOString()), null, 2));
      renameSync(tmp, this.file);
    } catch (e) {
      throw new GamedayError('INVALID_INPUT', `cannot write the halt flag ${this.file}: ${errnoText(e)}`, { hint: 'check the state directory (stateDir in gameday.yaml, or GAMEDAY_STATE_DIR)', cause: e });
    }
  }
  /** Is `env` halted (by its own flag or the global one)? */
  state(env?: string): HaltState {
    return haltStateIn(this.read(), env);
  }
  set(env: string | undefined, reason: string | undefined): void {
    const f = this.read();
    setHaltFlag(f, env, { at: new Date().toISOString(), reason });
    this.write(f);
  }
  clear(env: string | undefined): void {
    const f = this.read();
    clearHaltFlag(f, env);
    this.write(f);
  }
  /**
   * Calls `onHalt` once, within `everyMs`, after the flag is set for `env` (or globally) by any
   * process: a live drill stops itself instead of carrying on (a scheduled fault, a lease renewal)
   * after `gameday halt` elsewhere has reverted its faults. Returns the stop function.
   */
  watch(env: string, onHalt: (reason: string | undefined) => void, everyMs = 1000): () => void {
    return watchUntilHalted(() => this.state(env), onHalt, everyMs);
  }
  list(): HaltFlagRow[] {
    return haltFlagRows(this.read());
  }
}
