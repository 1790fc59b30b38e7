/**
 * Loads @kubernetes/client-node on first use and builds a KubeConfig for an environment
 * (kubeconfig file and context from the environment, else the default chain).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Environment } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';

export type KubeModule = typeof import('@kubernetes/client-node');

let mod: Promise<KubeModule> | undefined;
export const loadKubeModule = (): Promise<KubeModule> => (mod ??= import('@kubernetes/client-node'));

export async function kubeConfigFor(env: Environment): Promise<{ k8s: KubeModule; kc: KubeConfig }> {
  const k8s = await loadKubeModule();
  const kc = new k8s.KubeConfig();
  try {
    if (env.kube?.kubeconfig) kc.loadFromFile(env.kube.kubeconfig.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
    else kc.loadFromDefault();
  } catch (e) {
    throw new GamedayError('UNREACHABLE', `cannot read kubeconfig for environment "${env.name}": ${(e as Error).message}`, { hint: 'check kube.kubeconfig in gameday.yaml', cause: e });
  }
  if (env.kube?.context) {
    if (!kc.getContexts().some((c) => c.name === env.kube?.context)) {
      throw new GamedayError('UNREACHABLE', `kube context "${env.kube.context}" not found for environment "${env.name}"`, {
        hint: `contexts available: ${kc.getContexts().map((c) => c.name).join(', ') || '(none)'}`,
      });
    }
    kc.setCurrentContext(env.kube.context);
  }
  return { k8s, kc };
}
