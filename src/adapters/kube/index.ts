/** Builds the KubePort for an environment. Filled in by the Kubernetes injectors' issue. */
import type { Environment } from '../../core/environment.js';
import type { KubePort } from '../../ports/kube.js';
import { kubeConfigFor } from './client.js';

export async function createKubePort(env: Environment): Promise<KubePort> {
  await kubeConfigFor(env);
  return {};
}
