/**
 * Helpers of the Kubernetes object faults (scale, service-selector, node-drain): the namespace
 * opt-in, selectors as text and maps. Their mark is in ../fault-mark.ts.
 */
import { MANAGED_BY_LABEL, TOOLKIT_NAMESPACE, splitKeyValue } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import type { InjectorContext } from '../contract.js';

/** The namespace's opt-in, or a one-line error naming it when it does not exist. */
export async function namespaceScope(ctx: InjectorContext<'kube'>, kind: string, namespace: string): Promise<{ optedIn: boolean; toolkitOwned: boolean }> {
  const labels = await ctx.ports.kube.namespaceLabels(namespace);
  if (labels === undefined) throw new GamedayError('INVALID_INPUT', `${kind}: namespace "${namespace}" does not exist`, { hint: 'check target.namespace (kubectl get namespaces)' });
  const [k, v] = splitKeyValue(ctx.env.guards.optInLabel);
  return { optedIn: labels[k] === v, toolkitOwned: namespace === TOOLKIT_NAMESPACE || labels[MANAGED_BY_LABEL] === 'gameday' };
}

/** `k=v,k2=v2` → a map (a label selector of equalities only, as a Service's selector is). */
export function parseSelector(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0 || part.includes('!=') || part.includes('==')) return `"${part}" is not key=value`;
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return Object.keys(out).length ? out : 'is empty';
}

export const formatSelector = (m: Record<string, string> | undefined): string => (m && Object.keys(m).length ? Object.entries(m).map(([k, v]) => `${k}=${v}`).join(',') : '(none)');

/** Same keys and values, whatever the order. */
export function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => Object.hasOwn(b ?? {}, k) && b![k] === a![k]);
}
