/** k8s.pod-kill through the shared injector contract, with the real KubePort against the sandbox. */
import { k8sPodKill } from '../../src/injectors/k8s-pod-kill/index.js';
import { describeInjectorContract } from '../helpers/contract-suite.js';
import { contextWith, sandboxEnvironment, sandboxPort, testNamespace } from '../helpers/kube.js';

describeInjectorContract('k8s.pod-kill', async () => {
  const env = sandboxEnvironment();
  const kube = await sandboxPort(env);
  const ns = await testNamespace('gdk-contract', { optIn: true });
  await ns.deployment('api', 2);
  return {
    injector: k8sPodKill,
    ctx: contextWith({ kube }, env),
    target: { namespace: ns.name, selector: 'app=api' },
    params: { gracePeriod: 0 },
    settle: () => ns.waitReady('api', 2),
    cleanup: () => ns.dispose(),
  };
});
