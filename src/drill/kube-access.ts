/**
 * The Kubernetes access a drill of a scenario needs, from the injectors' own declarations
 * (`kubeAccess`), its k8s probes and the drill's environment lease. `gameday rbac` renders it.
 */
import { DRILL_LEASE_ACCESS, type KubeAccess } from '../core/kube-access.js';
import type { Scenario } from '../core/scenario.js';
import { checkFaultSpecs } from '../runner/plan.js';

const WORKLOADS: Record<string, string> = { deployment: 'deployments', statefulset: 'statefulsets', daemonset: 'daemonsets' };

export function scenarioKubeAccess(scenario: Pick<Scenario, 'id' | 'faults' | 'steadyState'>): KubeAccess[] {
  const out: KubeAccess[] = [...DRILL_LEASE_ACCESS];
  const checked = checkFaultSpecs(scenario.faults, `${scenario.id}: faults`);
  for (const { injector, targetSpec, params } of checked) out.push(...(injector.kubeAccess?.(targetSpec, params) ?? []));
  for (const p of scenario.steadyState) {
    if (p.type !== 'k8s') continue;
    const kind = p.resource.split('/')[0]!.toLowerCase();
    out.push({ namespace: p.namespace, apiGroup: 'apps', resource: WORKLOADS[kind]!, verbs: ['get', 'list', 'watch'], why: `steady-state probe ${p.name}` });
  }
  return out;
}
