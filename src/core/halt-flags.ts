/**
 * The halt flags' document, wherever it is kept (a file in the state directory, a ConfigMap in
 * the cluster): one optional global flag and one per environment. Pure: reading and writing the
 * document is the stores' business; what a document means is decided here, once.
 */
import { own } from './text.js';

export interface HaltFlagEntry {
  at: string;
  reason?: string;
}
export interface HaltFlags {
  global?: HaltFlagEntry;
  envs: Record<string, HaltFlagEntry>;
  /** set (never stored) when the store could not read its flags: everything counts as halted, and why */
  unreadable?: string;
}
export interface HaltState {
  halted: boolean;
  reason?: string;
  scope?: 'global' | 'env';
  /** halted because the flag could not be read, not because anyone set it: clearing it will not help */
  unreadable?: boolean;
}
/** One flag as `gameday status` lists it. */
export interface HaltFlagRow {
  scope: string;
  at: string;
  reason?: string;
  unreadable?: boolean;
}

/** The document from parsed JSON of any shape: flags keyed by environment name, without a prototype (an env named `constructor` is just a name). */
export function haltFlagsFrom(parsed: unknown): HaltFlags {
  if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
  const f = parsed as Partial<HaltFlags>;
  const envs = Object.assign(Object.create(null) as Record<string, HaltFlagEntry>, typeof f.envs === 'object' && f.envs !== null ? f.envs : {});
  return { global: f.global, envs };
}

export function noHaltFlags(): HaltFlags {
  return { envs: Object.create(null) as Record<string, HaltFlagEntry> };
}

/** A document that counts as set everywhere: what a store returns when it cannot read its flags (fail safe). */
export function haltedBecause(reason: string): HaltFlags {
  return { envs: noHaltFlags().envs, unreadable: reason };
}

/**
 * The document as a store writes it. A document that could not be read may have held a global
 * flag: writing it (halting one environment) keeps everything halted, as a global flag that says
 * why, until someone clears it on purpose (`gameday halt --clear`).
 */
export function storedHaltFlags(f: HaltFlags, now: string): Omit<HaltFlags, 'unreadable'> {
  const global = f.global ?? (f.unreadable !== undefined ? { at: now, reason: `kept from a flag that could not be read (${f.unreadable})` } : undefined);
  return { ...(global ? { global } : {}), envs: f.envs };
}

/** Is `env` halted, by its own flag or the global one? */
export function haltStateIn(f: HaltFlags, env: string | undefined): HaltState {
  if (f.unreadable !== undefined) return { halted: true, reason: f.unreadable, scope: 'global', unreadable: true };
  if (f.global) return { halted: true, reason: f.global.reason, scope: 'global' };
  const e = env ? own(f.envs, env) : undefined;
  return e ? { halted: true, reason: e.reason, scope: 'env' } : { halted: false };
}

export function setHaltFlag(f: HaltFlags, env: string | undefined, flag: HaltFlagEntry): void {
  // eslint-disable-next-line no-restricted-syntax -- a write to a prototype-less map of flags
  if (env) f.envs[env] = flag;
  else f.global = flag;
}

/** Clears `env`'s flag; without `env`, every flag (the global one and each environment's). */
export function clearHaltFlag(f: HaltFlags, env: string | undefined): void {
  // eslint-disable-next-line no-restricted-syntax -- a delete from a prototype-less map of flags
  if (env) delete f.envs[env];
  else {
    delete f.global;
    delete f.unreadable;
    f.envs = noHaltFlags().envs;
  }
}

/** One row a flag, the global one first: what `gameday halt --list` prints. */
export function haltFlagRows(f: HaltFlags): HaltFlagRow[] {
  if (f.unreadable !== undefined) return [{ scope: 'global', at: '', reason: f.unreadable, unreadable: true }];
  return [...(f.global ? [{ scope: 'global', ...f.global }] : []), ...Object.entries(f.envs).map(([scope, v]) => ({ scope, ...v }))];
}
