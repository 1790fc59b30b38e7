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
import { clearHaltFlag, haltedBecause, haltFlagRows, haltFlagsFrom, haltStateIn, noHaltFlags, setHaltFlag, type HaltFlagRow, type HaltFlags as Flags, type HaltState } from '../../core/halt-flags.js';
import type { HaltFlagPort } from '../../ports/journal.js';
import { watchUntilHalted } from '../halt-flag.js';
import { MANAGED, RECORD_LABEL, type ConfigMap, type ConfigMaps } from './config-maps.js';

export const HALT_CONFIGMAP = 'gameday-halt';

export class ClusterHaltFlag implements HaltFlagPort {
  constructor(private readonly maps: ConfigMaps) {}

  get where(): string {
    return this.maps.describe(HALT_CONFIGMAP);
  }

  /** The flags as stored; throws when the API server cannot be reached or the object is damaged. */
  readStrict(): { flags: Flags; cm?: ConfigMap } {
    const cm = this.maps.get(HALT_CONFIGMAP);
    if (!cm) return { flags: noHaltFlags() };
    const raw = cm.data?.flags;
    try {
      return { flags: haltFlagsFrom(JSON.parse(typeof raw === 'string' ? raw : '')), cm };
    } catch {
      throw new GamedayError('INVALID_INPUT', `${this.where}: data.flags is not the halt flag's JSON (damaged)`, { hint: `fix it or delete it (kubectl -n ${this.maps.namespace} delete configmap ${HALT_CONFIGMAP}), then halt again` });
    }
  }

  private readSafe(): Flags {
    try {
      return this.readStrict().flags;
    } catch (e) {
      return haltedBecause(`cannot read ${this.where}: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  state(env?: string): HaltState {
    return haltStateIn(this.readSafe(), env);
  }

  set(env: string | undefined, reason: string | undefined): void {
    this.update((f) => setHaltFlag(f, env, { at: new Date().toISOString(), ...(reason !== undefined ? { reason } : {}) }));
  }

  clear(env: string | undefined): void {
    this.update((f) => clearHaltFlag(f, env));
  }

  /** Polls the strict read: a blip of the API server is not a halt (the drill stops when it reads the flag set). */
  watch(env: string, onHalt: (reason: string | undefined) => void, everyMs = 1000): () => void {
    return watchUntilHalted(() => haltStateIn(this.readStrict().flags, env), onHalt, everyMs);
  }

  list(): HaltFlagRow[] {
    return haltFlagRows(this.readSafe());
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
