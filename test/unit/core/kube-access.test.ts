import { describe, expect, it } from 'vitest';
import { DRILL_LEASE_ACCESS, mergeAccess, renderRbac, type KubeAccess } from '../../../src/core/kube-access.js';
import { scenarioKubeAccess } from '../../../src/drill/kube-access.js';
import { scenarioSpec } from '../../../src/core/scenario.js';

const a = (over: Partial<KubeAccess>): KubeAccess => ({ apiGroup: '', resource: 'pods', verbs: ['list'], why: 'w', ...over });

describe('mergeAccess', () => {
  it('unions verbs of the same resource in the same namespace, sorted, reasons kept once', () => {
    expect(mergeAccess([a({ namespace: 'shop', verbs: ['watch', 'list'], why: 'x' }), a({ namespace: 'shop', verbs: ['delete', 'list'], why: 'y' }), a({ namespace: 'shop', verbs: ['list'], why: 'x' })])).toEqual([
      a({ namespace: 'shop', verbs: ['delete', 'list', 'watch'], why: 'x; y' }),
    ]);
  });
  it('keeps namespaces, groups and resources apart', () => {
    const out = mergeAccess([a({ namespace: 'b' }), a({ namespace: 'a' }), a({ namespace: 'a', apiGroup: 'apps', resource: 'deployments' }), a({})]);
    expect(out.map((r) => `${r.namespace ?? '*'}:${r.apiGroup}/${r.resource}`)).toEqual(['*:/pods', 'a:/pods', 'a:apps/deployments', 'b:/pods']);
  });
  it('named rules with the same verbs become one rule naming them all; unnamed rules never absorb named ones', () => {
    const out = mergeAccess([
      a({ resource: 'namespaces', verbs: ['get'], resourceNames: ['shop'] }),
      a({ resource: 'namespaces', verbs: ['get'], resourceNames: ['gameday-system', 'shop'] }),
      a({ resource: 'namespaces', verbs: ['list'] }),
    ]);
    expect(out).toEqual([a({ resource: 'namespaces', verbs: ['get'], resourceNames: ['gameday-system', 'shop'] }), a({ resource: 'namespaces', verbs: ['list'] })]);
  });
});

describe('renderRbac', () => {
  it('namespace, ServiceAccount, ClusterRole only for cluster-scoped access, a Role per namespace, every binding to the ServiceAccount', () => {
    const docs = renderRbac([a({ namespace: 'shop', verbs: ['delete'] }), a({ resource: 'nodes' }), ...DRILL_LEASE_ACCESS], { serviceAccount: 'drills' });
    const names = docs.map((d) => `${d.kind as string} ${(d.metadata as { namespace?: string }).namespace ?? '-'}/${(d.metadata as { name: string }).name}`);
    expect(names).toEqual([
      'Namespace -/gameday-system',
      'ServiceAccount gameday-system/drills',
      'ClusterRole -/drills',
      'ClusterRoleBinding -/drills',
      'Role gameday-system/drills',
      'RoleBinding gameday-system/drills',
      'Role shop/drills',
      'RoleBinding shop/drills',
    ]);
    for (const d of docs.filter((x) => String(x.kind).endsWith('Binding'))) expect(d.subjects).toEqual([{ kind: 'ServiceAccount', name: 'drills', namespace: 'gameday-system' }]);
    expect(docs.find((d) => d.kind === 'Role' && (d.metadata as { namespace: string }).namespace === 'shop')!.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['delete'] }]);
    expect((docs[0]!.metadata as { labels: Record<string, string> }).labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });
  it('no cluster-scoped access: no ClusterRole at all', () => {
    expect(renderRbac(DRILL_LEASE_ACCESS, { serviceAccount: 'd' }).some((d) => d.kind === 'ClusterRole')).toBe(false);
  });
});

describe('scenarioKubeAccess', () => {
  const scenario = (faults: unknown[], steadyState: unknown[] = []) =>
    scenarioSpec.parse({ id: 's', title: 't', summary: 's', briefing: 'b', difficulty: 'easy', faults, steadyState });
  it('a pod kill with a k8s probe: the lease, the namespace read, pods, and the probed workload — read-only', () => {
    const out = mergeAccess(
      scenarioKubeAccess(scenario([{ kind: 'k8s.pod-kill', target: { namespace: 'shop', selector: 'app=checkout' } }], [{ name: 'p', type: 'k8s', namespace: 'shop', resource: 'statefulset/db' }])),
    );
    expect(out.map((r) => `${r.namespace ?? '*'} ${r.apiGroup}/${r.resource} ${r.verbs.join(',')}${r.resourceNames ? ` [${r.resourceNames.join(',')}]` : ''}`)).toEqual([
      '* /namespaces get [shop]',
      'gameday-system coordination.k8s.io/leases create,delete,get,update',
      'shop /pods delete,list,watch',
      'shop apps/statefulsets get,list,watch',
    ]);
  });
  it('AWS-only and tabletop scenarios need only the lease', () => {
    expect(scenarioKubeAccess(scenario([{ kind: 'aws.rds-failover', target: { cluster: 'shop-db' } }]))).toEqual(DRILL_LEASE_ACCESS);
    expect(scenarioKubeAccess(scenario([]))).toEqual(DRILL_LEASE_ACCESS);
  });
  it('a fault with a broken target is an error naming the scenario and field', () => {
    expect(() => scenarioKubeAccess(scenario([{ kind: 'k8s.pod-kill', target: { selector: 'app=x' } }]))).toThrow(/s: faults\[0\]\.target\.namespace/);
  });
});
