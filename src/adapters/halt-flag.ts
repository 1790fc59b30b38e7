/**
 * The stop-everything lever: a flag file in the state directory. While set (globally or for an
 * environment), every `inject` and `run` refuses. Set by `gameday halt`, cleared by `--clear`.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GamedayError } from '../core/errors.js';
import { own } from '../core/text.js';
import { errnoText, readRegularFile } from './regular-file.js';

interface Flag {
  at: string;
  reason?: string;
}
interface HaltFile {
  global?: Flag;
  envs: Record<string, Flag>;
}

export class HaltFlag {
  readonly file: string;
  constructor(stateDir: string) {
    this.file = join(stateDir, 'halt.json');
  }
  private read(): HaltFile {
    if (!existsSync(this.file)) return { envs: Object.create(null) as Record<string, Flag> };
    try {
      // a FIFO or a huge file in its place must not hang or exhaust `halt`: read it as a regular file
      const f = JSON.parse(readRegularFile(this.file, { what: 'halt flag', maxBytes: 1024 * 1024 }).toString('utf8')) as HaltFile;
      if (typeof f !== 'object' || f === null) throw new Error('not an object');
      // flags keyed by environment name, without a prototype (an env named `constructor` is just a name)
      const envs = Object.assign(Object.create(null) as Record<string, Flag>, typeof f.envs === 'object' && f.envs !== null ? f.envs : {});
      return { global: f.global, envs };
    } catch {
      // an unreadable flag file is treated as set: fail safe
      return { global: { at: new Date(0).toISOString(), reason: `unreadable ${this.file}` }, envs: {} };
    }
  }
  private write(f: HaltFile): void {
    try {
      mkdirSync(join(this.file, '..'), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(f, null, 2));
      renameSync(tmp, this.file);
    } catch (e) {
      throw new GamedayError('INVALID_INPUT', `cannot write the halt flag ${this.file}: ${errnoText(e)}`, { hint: 'check the state directory (stateDir in gameday.yaml, or GAMEDAY_STATE_DIR)', cause: e });
    }
  }
  /** Is `env` halted (by its own flag or the global one)? */
  state(env?: string): { halted: boolean; reason?: string; scope?: 'global' | 'env' } {
    const f = this.read();
    if (f.global) return { halted: true, reason: f.global.reason, scope: 'global' };
    const e = env ? own(f.envs, env) : undefined;
    return e ? { halted: true, reason: e.reason, scope: 'env' } : { halted: false };
  }
  set(env: string | undefined, reason: string | undefined): void {
    const f = this.read();
    const flag = { at: new Date().toISOString(), reason };
    // eslint-disable-next-line no-restricted-syntax -- a write to a prototype-less map of flags
    if (env) f.envs[env] = flag;
    else f.global = flag;
    this.write(f);
  }
  clear(env: string | undefined): void {
    const f = this.read();
    // eslint-disable-next-line no-restricted-syntax -- a delete from a prototype-less map of flags
    if (env) delete f.envs[env];
    else {
      delete f.global;
      f.envs = {};
    }
    this.write(f);
  }
  /**
   * Calls `onHalt` once, within `everyMs`, after the flag is set for `env` (or globally) by any
   * process: a live drill stops itself instead of carrying on (a scheduled fault, a lease renewal)
   * after `gameday halt` elsewhere has reverted its faults. Returns the stop function.
   */
  watch(env: string, onHalt: (reason: string | undefined) => void, everyMs = 1000): () => void {
    const t = setInterval(() => {
      const s = this.state(env);
      if (!s.halted) return;
      clearInterval(t);
      onHalt(s.reason);
    }, everyMs);
    t.unref?.();
    return () => clearInterval(t);
  }
  list(): { scope: string; at: string; reason?: string }[] {
    const f = this.read();
    return [...(f.global ? [{ scope: 'global', ...f.global }] : []), ...Object.entries(f.envs).map(([scope, v]) => ({ scope, ...v }))];
  }
}
