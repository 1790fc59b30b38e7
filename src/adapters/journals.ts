/**
 * Where each environment's journals, fault claims and halt flag live, and one view over all of
 * them for the commands that look at every drill (`status`, `halt`, `history`, `report`, `recover`).
 *
 * An environment with `journal: cluster` keeps them in its cluster (src/adapters/kube/
 * cluster-journal.ts); every other environment in the state directory (journal-store.ts, the
 * default, unchanged). A cluster is only contacted when a command needs its drills: `report` of a
 * local drill never builds a cluster client.
 */
import { foldDrill, type DrillState } from '../core/drill-state.js';
import type { Environment } from '../core/environment.js';
import { GamedayError, isGamedayError } from '../core/errors.js';
import type { HaltFlagRow, HaltState } from '../core/halt-flags.js';
import { own } from '../core/text.js';
import type { ClaimAttempt, ClaimHolder, FaultClaimPort, HaltFlagPort, HeldClaim, JournalAppender, JournalPort, JournalProblem, JournalRead } from '../ports/journal.js';
import type { ClaimWaitOptions } from './fault-claim.js';
import { HaltFlag } from './halt-flag.js';
import { JournalStore } from './journal-store.js';
import { ClusterHaltFlag } from './kube/cluster-halt.js';
import { ClusterJournalStore } from './kube/cluster-journal.js';
import { ConfigMaps } from './kube/config-maps.js';
import { kubeConnectionFor } from './kube/kubeconfig-sync.js';
import { SyncKubeApi } from './kube/sync-api.js';

interface ClusterSide {
  journals: ClusterJournalStore;
  halt: ClusterHaltFlag;
}

/** The cluster side of one environment, built on first use (reads its kubeconfig, starts the call worker). */
function clusterSide(env: Environment): ClusterSide {
  if (!env.kube) throw new GamedayError('INVALID_INPUT', `environment "${env.name}": journal: cluster needs kube (the cluster to keep the journal in)`, { hint: 'add kube: { kubeconfig, context } to the environment in gameday.yaml, or drop journal: cluster' });
  const maps = new ConfigMaps(new SyncKubeApi(kubeConnectionFor(env)));
  return { journals: new ClusterJournalStore(maps, `environment ${env.name} (cluster journal)`), halt: new ClusterHaltFlag(maps) };
}

export const usesClusterJournal = (env: Environment): boolean => env.journal === 'cluster';

/** The journals, claims and halt flag of a state directory and of every cluster-journal environment. */
export class DrillStores {
  readonly file: JournalStore;
  readonly localHalt: HaltFlag;
  readonly journals: JournalSet;
  readonly halt: SharedHaltFlag;
  private readonly sides = new Map<string, ClusterSide>();

  constructor(
    stateDir: string,
    private readonly environments: Record<string, Environment>,
  ) {
    this.file = new JournalStore(stateDir);
    this.localHalt = new HaltFlag(stateDir);
    this.journals = new JournalSet(this);
    this.halt = new SharedHaltFlag(this);
  }

  /** The cluster-journal environments' names, in config order. */
  clusterEnvs(): string[] {
    return Object.values(this.environments).filter(usesClusterJournal).map((e) => e.name);
  }

  side(envName: string): ClusterSide {
    let s = this.sides.get(envName);
    if (!s) {
      const env = own(this.environments, envName);
      if (!env) throw new GamedayError('NOT_FOUND', `unknown environment "${envName}"`);
      s = clusterSide(env);
      this.sides.set(envName, s);
    }
    return s;
  }

  /** Where a new drill on `env` keeps its journal. */
  journalFor(env: Environment): JournalPort {
    return usesClusterJournal(env) ? this.side(env.name).journals : this.file;
  }
}

/** Every store's journals as one: the state directory first, then each cluster-journal environment. */
export class JournalSet implements JournalPort {
  readonly claims: FaultClaimPort;
  private readonly owners = new Map<string, JournalPort>();
  constructor(private readonly stores: DrillStores) {
    this.claims = new ClaimsByDrill((id) => this.ownerOf(id) ?? stores.file);
  }

  private all(): { store: () => JournalPort; label: string }[] {
    return [{ store: () => this.stores.file, label: this.stores.file.dir }, ...this.stores.clusterEnvs().map((name) => ({ store: () => this.stores.side(name).journals, label: `environment ${name} (cluster journal)` }))];
  }

  /** The store that holds `drillId`, if any can be reached and has it; remembers the answer. */
  private ownerOf(drillId: string): JournalPort | undefined {
    const known = this.owners.get(drillId);
    if (known) return known;
    let unreachable: unknown;
    for (const { store } of this.all()) {
      try {
        const s = store();
        if (s.exists(drillId)) {
          this.owners.set(drillId, s);
          return s;
        }
      } catch (e) {
        if (isGamedayError(e) && e.code === 'INVALID_INPUT' && /not a drill id/.test(e.message)) throw e;
        unreachable ??= e;
      }
    }
    if (unreachable) throw new GamedayError('UNREACHABLE', `drill ${drillId} is not in ${this.stores.file.dir}, and a cluster journal could not be searched: ${(unreachable as Error).message.split('\n')[0]}`, { hint: 'check the cluster of the environment, then try again', cause: unreachable });
    return undefined;
  }

  exists(drillId: string): boolean {
    return this.ownerOf(drillId) !== undefined;
  }

  list(): string[] {
    return this.scan().ids;
  }

  scan(): { ids: string[]; problems: JournalProblem[] } {
    const ids = new Set<string>();
    const problems: JournalProblem[] = [];
    for (const { store, label } of this.all()) {
      let s: JournalPort;
      try {
        s = store();
      } catch (e) {
        problems.push({ file: label, line: 0, message: `cannot read the journals: ${(e as Error).message.split('\n')[0]}`, mayHideFault: true });
        continue;
      }
      const r = s.scan();
      problems.push(...r.problems);
      for (const id of r.ids) {
        if (!this.owners.has(id)) this.owners.set(id, s);
        ids.add(id);
      }
    }
    return { ids: [...ids].sort(), problems };
  }

  read(drillId: string): JournalRead {
    const s = this.ownerOf(drillId);
    if (!s) return this.stores.file.read(drillId); // NOT_FOUND, with the file store's hint
    return s.read(drillId);
  }

  readSafely(drillId: string): JournalRead {
    try {
      return (this.ownerOf(drillId) ?? this.stores.file).readSafely(drillId);
    } catch (e) {
      return { events: [], problems: [{ file: drillId, line: 0, message: `cannot read the journal: ${(e as Error).message.split('\n')[0]}`, mayHideFault: true }] };
    }
  }

  fold(drillId: string): { state: DrillState; problems: JournalProblem[] } {
    try {
      return (this.ownerOf(drillId) ?? this.stores.file).fold(drillId);
    } catch (e) {
      return { state: foldDrill(drillId, []), problems: [{ file: drillId, line: 0, message: `cannot read the journal: ${(e as Error).message.split('\n')[0]}`, mayHideFault: true }] };
    }
  }

  /** Continues an existing drill's journal where it lives (a new drill: DrillStores.journalFor). */
  open(drillId: string): JournalAppender {
    return (this.ownerOf(drillId) ?? this.stores.file).open(drillId);
  }
}

/** Claims are asked for by drill: each drill's go to the store its journal is in. */
class ClaimsByDrill implements FaultClaimPort {
  constructor(private readonly storeOf: (drillId: string) => JournalPort) {}
  holder(drillId: string, faultId: string): ClaimHolder | undefined {
    return this.storeOf(drillId).claims.holder(drillId, faultId);
  }
  tryClaim(drillId: string, faultId: string, reason: string): ClaimAttempt {
    return this.storeOf(drillId).claims.tryClaim(drillId, faultId, reason);
  }
  tryClaimAll(drillId: string, faultIds: readonly string[], reason: string): ClaimAttempt[] {
    return this.storeOf(drillId).claims.tryClaimAll(drillId, faultIds, reason);
  }
  claim(drillId: string, faultId: string, reason: string, opts: ClaimWaitOptions): Promise<{ claim?: HeldClaim; waitedFor?: ClaimHolder }> {
    return this.storeOf(drillId).claims.claim(drillId, faultId, reason, opts);
  }
}

/**
 * This machine's halt flag plus the cluster flag of every cluster-journal environment. Setting it
 * for one environment also sets that environment's cluster flag; setting it globally sets every
 * cluster's global flag too. A cluster that cannot be written is tried last and reported (the
 * caller still reverts: `gameday halt` must not stop at a flag).
 */
export class SharedHaltFlag implements HaltFlagPort {
  constructor(private readonly stores: DrillStores) {}

  private clustersFor(env: string | undefined): string[] {
    const names = this.stores.clusterEnvs();
    return env === undefined ? names : names.filter((n) => n === env);
  }

  state(env?: string): HaltState {
    const local = this.stores.localHalt.state(env);
    if (local.halted) return local;
    for (const name of this.clustersFor(env)) {
      let s;
      try {
        s = this.stores.side(name).halt.state(env);
      } catch (e) {
        // fail safe, as an unreadable flag file: nothing starts while we cannot tell
        return { halted: true, scope: 'env', unreadable: true, reason: `environment ${name}: ${(e as Error).message.split('\n')[0]}` };
      }
      if (s.halted) return s;
    }
    return local;
  }

  set(env: string | undefined, reason: string | undefined): void {
    this.stores.localHalt.set(env, reason);
    this.eachCluster(env, (h) => h.set(env, reason));
  }

  clear(env: string | undefined): void {
    this.stores.localHalt.clear(env);
    this.eachCluster(env, (h) => h.clear(env));
  }

  watch(env: string, onHalt: (reason: string | undefined) => void, everyMs = 1000): () => void {
    let fired = false;
    const once = (reason: string | undefined) => {
      if (fired) return;
      fired = true;
      stop();
      onHalt(reason);
    };
    const stops = [this.stores.localHalt.watch(env, once, everyMs), ...this.clustersFor(env).map((n) => this.stores.side(n).halt.watch(env, once, everyMs))];
    const stop = () => stops.forEach((s) => s());
    return stop;
  }

  list(): HaltFlagRow[] {
    const out = this.stores.localHalt.list();
    for (const name of this.stores.clusterEnvs()) {
      let flags;
      try {
        flags = this.stores.side(name).halt.list();
      } catch (e) {
        flags = [{ scope: name, at: '', unreadable: true, reason: (e as Error).message.split('\n')[0] }];
      }
      for (const f of flags) if (!out.some((o) => o.scope === f.scope)) out.push(f);
    }
    return out;
  }

  private eachCluster(env: string | undefined, fn: (h: ClusterHaltFlag) => void): void {
    const failed: string[] = [];
    for (const name of this.clustersFor(env)) {
      try {
        fn(this.stores.side(name).halt);
      } catch (e) {
        failed.push(`environment ${name}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    if (failed.length) throw new GamedayError('UNREACHABLE', `cannot change the cluster halt flag of ${failed.join('; ')}`, { hint: 'the local flag is changed; retry when the cluster is reachable' });
  }
}
