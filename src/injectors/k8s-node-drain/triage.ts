/**
 * Which pods of a node a drain evicts, and which it leaves (pure), and which budget covers a pod.
 * Rules as `kubectl drain --ignore-daemonsets`, plus gameday's own: only opted-in, unprotected
 * namespaces; pods already terminating are not evicted again.
 */
import type { KubePort, PodInfo } from '../../ports/kube.js';

export interface Triage {
  evict: PodInfo[];
  skipped: { pod: string; why: string }[];
}

export function triage(pods: PodInfo[], optedIn: ReadonlySet<string>, protectedNs: ReadonlySet<string>): Triage {
  const evict: PodInfo[] = [];
  const skipped: Triage['skipped'] = [];
  for (const p of [...pods].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))) {
    const pod = `${p.namespace}/${p.name}`;
    const why =
      p.owner?.kind === 'DaemonSet'
        ? 'DaemonSet'
        : p.owner?.kind === 'Node'
          ? 'static pod'
          : protectedNs.has(p.namespace)
            ? 'protected namespace'
            : !optedIn.has(p.namespace)
              ? 'namespace not opted in'
              : p.deletingAt !== undefined
                ? 'already terminating'
                : p.phase === 'Succeeded' || p.phase === 'Failed'
                  ? `finished (${p.phase})`
                  : undefined;
    if (why) skipped.push({ pod, why });
    else evict.push(p);
  }
  return { evict, skipped };
}

/** The name of the first budget whose matchLabels select the pod, if any. */
export async function pdbFor(kube: Pick<KubePort, 'listPdbs'>, pod: PodInfo): Promise<string | undefined> {
  const pdbs = await kube.listPdbs(pod.namespace);
  const hit = pdbs.find((b) => Object.keys(b.matchLabels).length > 0 && Object.entries(b.matchLabels).every(([k, v]) => pod.labels[k] === v));
  return hit ? `${hit.namespace}/${hit.name} (${hit.disruptionsAllowed} disruption(s) allowed)` : undefined;
}
