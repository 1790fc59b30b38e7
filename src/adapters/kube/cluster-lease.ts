/**
 * The environment's cluster Lease (see src/drill/lease.ts), through the real API server:
 * coordination.k8s.io/v1 Lease `gameday-env-<env>` in the toolkit namespace. Create to take it;
 * a Lease whose renewTime + leaseDurationSeconds has passed (its drill died) is taken over with an
 * optimistic-concurrency replace; release deletes it only while this drill still holds it.
 * The in-cluster twin of the lock file in src/adapters/env-lock.ts: one drill per environment,
 * visible to every facilitator machine that talks to the cluster.
 */
import { hostname } from 'node:os';
import type { V1Lease } from '@kubernetes/client-node';
import { TOOLKIT_NAMESPACE } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import type { ClusterLock, LeaseReader } from '../../ports/cluster-lock.js';
import { kubeConfigFor } from './client.js';
import { boundedApiClient } from './bounded.js';

export const LEASE_SECONDS = 60;
const RENEW_MS = 15_000;
const code = (e: unknown) => (e as { code?: number }).code;

export const leaseName = (env: string): string => `gameday-env-${env}`.slice(0, 63).replace(/-+$/, '');

export const clusterLock: ClusterLock = async (env, drillId, notice) => {
  if (!env.kube) return undefined;
  const { k8s, kc } = await kubeConfigFor(env);
  const api = boundedApiClient(k8s, kc, k8s.CoordinationV1Api); // every lease call bounded (bounded.ts)
  const name = leaseName(env.name);
  const namespace = TOOLKIT_NAMESPACE;
  const now = () => new k8s.V1MicroTime(Date.now());
  const body = () => ({
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'gameday' }, annotations: { 'gameday.dev/host': hostname(), 'gameday.dev/pid': String(process.pid), 'gameday.dev/env': env.name } },
    spec: { holderIdentity: drillId, leaseDurationSeconds: LEASE_SECONDS, acquireTime: now(), renewTime: now() },
  });

  try {
    await api.createNamespacedLease({ namespace, body: body() });
  } catch (e) {
    if (code(e) === 404) {
      notice(`namespace ${namespace} does not exist in the cluster: no cluster lease, the local lock file only`);
      return undefined;
    }
    if (code(e) !== 409) throw new GamedayError('UNREACHABLE', `cannot take the drill lease ${namespace}/${name}: ${(e as Error).message.split('\n')[0]}`, { cause: e, hint: 'check the cluster is reachable and that you may create Leases in ' + namespace });
    const held = await api.readNamespacedLease({ name, namespace });
    if (Date.now() < leaseExpiry(held) && held.spec?.holderIdentity !== drillId) {
      const a = held.metadata?.annotations ?? {};
      throw new GamedayError('LOCKED', `environment "${env.name}" is busy: drill ${held.spec?.holderIdentity ?? '?'} (pid ${a['gameday.dev/pid'] ?? '?'} on ${a['gameday.dev/host'] ?? '?'}) holds the cluster lease ${namespace}/${name}`, {
        hint: `wait for it to end, or stop it with \`gameday halt --env ${env.name}\`; a lease nobody renews expires after ${LEASE_SECONDS}s`,
      });
    }
    // expired: its drill is gone. Take it over, unless someone else is faster (409)
    try {
      await api.replaceNamespacedLease({ name, namespace, body: { ...body(), metadata: { ...body().metadata, resourceVersion: held.metadata?.resourceVersion } } });
    } catch (e2) {
      if (code(e2) === 409) throw new GamedayError('LOCKED', `environment "${env.name}" is busy: another drill took the cluster lease ${namespace}/${name} just now`, { hint: 'try again in a minute' });
      throw e2;
    }
  }

  const timer = setInterval(() => {
    void (async () => {
      const l = await api.readNamespacedLease({ name, namespace });
      if (l.spec?.holderIdentity !== drillId) {
        notice(`the cluster lease ${namespace}/${name} was taken by ${l.spec?.holderIdentity ?? '?'}`);
        return;
      }
      l.spec.renewTime = now();
      await api.replaceNamespacedLease({ name, namespace, body: l });
    })().catch((e) => notice(`renewing the cluster lease failed: ${(e as Error).message.split('\n')[0]}`));
  }, RENEW_MS);
  timer.unref();

  return {
    name: `${namespace}/${name}`,
    async release() {
      clearInterval(timer);
      try {
        const l = await api.readNamespacedLease({ name, namespace });
        if (l.spec?.holderIdentity !== drillId) return;
        await api.deleteNamespacedLease({ name, namespace, body: { preconditions: { resourceVersion: l.metadata?.resourceVersion } } });
      } catch (e) {
        if (code(e) !== 404) notice(`releasing the cluster lease failed (it expires by itself in ${LEASE_SECONDS}s): ${(e as Error).message.split('\n')[0]}`);
      }
    },
  };
};

/** When a Lease lapses unless renewed (epoch ms): its last renewal plus its duration; never renewed, long past. */
function leaseExpiry(lease: V1Lease): number {
  const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
  return renewed + (lease.spec?.leaseDurationSeconds ?? LEASE_SECONDS) * 1000;
}

/** The environment's Lease as `gameday recover --orphans` judges it: its holder and when it lapses. */
export const readClusterLease: LeaseReader = async (env) => {
  if (!env.kube) return undefined;
  const { k8s, kc } = await kubeConfigFor(env);
  const api = boundedApiClient(k8s, kc, k8s.CoordinationV1Api);
  const name = leaseName(env.name);
  try {
    const held = await api.readNamespacedLease({ name, namespace: TOOLKIT_NAMESPACE });
    return { holder: held.spec?.holderIdentity, expiresAt: leaseExpiry(held) };
  } catch (e) {
    if (code(e) === 404) return undefined;
    throw new GamedayError('UNREACHABLE', `cannot read the drill lease ${TOOLKIT_NAMESPACE}/${name}: ${(e as Error).message.split('\n')[0]}`, { cause: e, hint: `check the cluster is reachable and that you may get Leases in ${TOOLKIT_NAMESPACE}` });
  }
};
