/**
 * The halt flag in the cluster, for environments whose journal lives there: ConfigMap
 * `gameday-halt` in the toolkit namespace, `data.flags` holding the same JSON as the file flag
 * (`{ global?, envs }`), changed read-modify-write at its resourceVersion (409: read again).
 * A drill on any machine (a CronJob's pod, a colleague's laptop) polls it, so `gameday halt` from
 * anywhere stops it.
 *
 * Reading fails safe like the file flag: a flag that cannot be read or parsed counts as set, so no
 * drill starts while we cannot tell. `readStrict` throws instead, for the watch of a running drill,
 * which must not stop on a blip of the API server (it stops when it reads the flag set).
 */
import { GamedayError } from '../../core/errors.js';
import { own } from '../../core/text.js';
import type { HaltFlagPort } from '../../ports/journal.js';
import { MANAGED, RECORD_LABEL, type ConfigMap, type ConfigMaps } from './config-maps.js';

interface Flag {
  at: string;
  reason?: string;
}
interface Flags {
  global?: Flag;
  envs: Record<string, Flag>;
}

export const HALT_CONFIGMAP = 'gameday-halt';

export class ClusterHaltFlag implements HaltFlagPort {
  constructor(private readonly maps: ConfigMaps) {}

  get where(): string {
    return this.maps.describe(HALT_CONFIGMAP);
  }

  /** The flags as stored; throws when the API server cannot be reached or the object is damaged. */
  readStrict(): { flags: Flags; cm?: ConfigMap } {
    const cm = this.maps.get(HALT_CONFIGMAP);
    if (!cm) return { flags: { envs: Object.create(null) as Record<string, Flag> } };
    const raw = cm.data?.flags;
    let parsed: Partial<Flags>;
    try {
      parsed = JSON.parse(typeof raw === 'string' ? raw : '') as Partial<Flags>;
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    } catch {
      throw new GamedayError('INVALID_INPUT', `${this.where}: data.flags is not the halt flag's JSON (damaged)`, { hint: `fix it or delete it (kubectl -n ${this.maps.namespace} delete configmap ${HALT_CONFIGMAP}), then halt again` });
    }
    const envs = Object.assign(Object.create(null) as Record<string, Flag>, typeof parsed.envs === 'object' && parsed.envs !== null ? parsed.envs : {});
    return { flags: { global: parsed.global, envs }, cm };
  }

  private readSafe(): Flags {
    try {
      return this.readStrict().flags;
    } catch (e) {
      return { global: { at: new Date(0).toISOString(), reason: `cannot read ${this.where}: ${(e as Error).message.split('\n')[0]}` }, envs: {} };
    }
  }

  state(env?: string): { halted: boolean; reason?: string; scope?: 'global' | 'env' } {
    return stateIn(this.readSafe(), env);
  }

  set(env: string | undefined, reason: string | undefined): void {
    this.update((f) => {
      const flag = { at: new Date().toISOString(), ...(reason !== undefined ? { reason } : {}) };
      // eslint-disable-next-line no-restricted-syntax -- a write to a prototype-less map of flags
      if (env) f.envs[env] = flag;
      else f.global = flag;
    });
  }

  clear(env: string | undefined): void {
    this.update((f) => {
      // eslint-disable-next-line no-restricted-syntax -- a delete from a prototype-less map of flags
      if (env) delete f.envs[env];
      else {
        delete f.global;
        f.envs = {};
      }
    });
  }

  watch(env: string, onHalt: (reason: string | undefined) => void, everyMs = 1000): () => void {
    const t = setInterval(() => {
      let s;
      try {
        s = stateIn(this.readStrict().flags, env);
      } catch {
        return; // a blip: look again next time
      }
      if (!s.halted) return;
      clearInterval(t);
      onHalt(s.reason);
    }, everyMs);
    t.unref?.();
    return () => clearInterval(t);
  }

  list(): { scope: string; at: string; reason?: string }[] {
    const f = this.readSafe();
    return [...(f.global ? [{ scope: 'global', ...f.global }] : []), ...Object.entries(f.envs).map(([scope, v]) => ({ scope, ...v }))];
  }

  private update(change: (f: Flags) => void): void {
    for (let attempt = 0; attempt < 20; attempt++) {
      const { flags, cm } = this.readStrict();
      change(flags);
      const data = { flags: JSON.stringify(flags, null, 2) };
      if (!cm) {
        if (this.maps.create({ metadata: { name: HALT_CONFIGMAP, labels: { ...MANAGED, [RECORD_LABEL]: 'halt' } }, data }) === 'created') return;
      } else if (this.maps.replace({ ...cm, data }) === 'replaced') return;
    }
    throw new GamedayError('UNREACHABLE', `cannot change ${this.where}: it kept changing under 20 attempts`, { hint: 'try again' });
  }
}

function stateIn(f: Flags, env: string | undefined): { halted: boolean; reason?: string; scope?: 'global' | 'env' } {
  if (f.global) return { halted: true, reason: f.global.reason, scope: 'global' };
  const e = env ? own(f.envs, env) : undefined;
  return e ? { halted: true, reason: e.reason, scope: 'env' } : { halted: false };
}
