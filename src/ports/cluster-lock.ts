/**
 * The cluster side of "one drill per environment": where the environment has a Kubernetes cluster,
 * a coordination.k8s.io Lease in the toolkit's namespace, held and renewed by the running drill, so
 * two facilitators on different machines cannot drill the same cluster at once. The lock file
 * (src/adapters/env-lock.ts) still guards this machine; the Lease guards the cluster.
 */
import type { Environment } from '../core/environment.js';
import type { LeaseView } from '../core/orphans.js';

export interface HeldLease {
  /** where it lives, for messages: gameday-system/gameday-env-sandbox */
  name: string;
  release(): Promise<void>;
}

/**
 * Takes the environment's Lease for this drill, or throws LOCKED naming the holder. Resolves to
 * undefined when the cluster has no place for it (the toolkit namespace does not exist).
 */
export type ClusterLock = (env: Environment, drillId: string, notice: (message: string) => void) => Promise<HeldLease | undefined>;

/**
 * Reads the environment's Lease as it stands (undefined: there is none). Throws when the cluster
 * cannot be asked: a keeper that cannot see the Lease must not guess that its drill is gone.
 */
export type LeaseReader = (env: Environment) => Promise<LeaseView | undefined>;
