/** Client objects → the facts the injectors use (pure). */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { NodeInfo, PodInfo } from '../../ports/kube.js';

const ms = (t: unknown): number | undefined => (t === undefined || t === null ? undefined : new Date(t as string | Date).getTime());

/** V1Pod (typed from list calls, raw JSON from watches) → the facts the injectors use. */
export function toPodInfo(p: V1Pod): PodInfo {
  const md = p.metadata ?? {};
  const ctrl = md.ownerReferences?.find((o) => o.controller) ?? md.ownerReferences?.[0];
  const cond = (type: string) => p.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  const info: PodInfo = {
    namespace: md.namespace ?? '',
    name: md.name ?? '',
    uid: md.uid ?? '',
    phase: p.status?.phase ?? 'Unknown',
    labels: md.labels ?? {},
    createdAt: ms(md.creationTimestamp) ?? 0,
  };
  if (p.spec?.nodeName) info.nodeName = p.spec.nodeName;
  const del = ms(md.deletionTimestamp);
  if (del !== undefined) info.deletingAt = del;
  if (ctrl) info.owner = { kind: ctrl.kind, name: ctrl.name, uid: ctrl.uid };
  const sched = cond('PodScheduled');
  if (sched) info.scheduledAt = ms(sched.lastTransitionTime) ?? info.createdAt;
  const ready = cond('Ready');
  if (ready) info.readyAt = ms(ready.lastTransitionTime) ?? Date.now();
  return info;
}

export function toNodeInfo(n: V1Node): NodeInfo {
  return {
    name: n.metadata?.name ?? '',
    labels: n.metadata?.labels ?? {},
    unschedulable: Boolean(n.spec?.unschedulable),
    ready: Boolean(n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
    taints: (n.spec?.taints ?? []).map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })),
  };
}

