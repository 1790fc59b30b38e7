/**
 * node.iptables through the shared injector contract: real KubePort, the sandbox's real node. The rule
 * blocks a documentation address (192.0.2.0/24, TEST-NET-1) nobody uses, so running beside the tests
 * that check what the shop's traffic does changes none of it.
 */
import { nodeIptables } from '../../src/injectors/node-iptables/index.js';
import { describeInjectorContract } from '../helpers/contract-suite.js';
import { contextWith, sandboxEnvironment, sandboxPort } from '../helpers/kube.js';
import { kube as client } from '../helpers/sandbox/sandbox.js';

describeInjectorContract('node.iptables', async () => {
  const env = sandboxEnvironment();
  const kube = await sandboxPort(env);
  const { apps } = await client();
  return {
    injector: nodeIptables,
    ctx: contextWith({ kube }, env),
    target: { nodes: 'all' },
    params: { preset: 'egress', to: '192.0.2.0/24', action: 'drop', readyTimeout: '60s' },
    // someone deletes the DaemonSet behind our back: revert still succeeds and verifies
    vanish: async (undo) => {
      await apps.deleteNamespacedDaemonSet({ namespace: String(undo.namespace), name: String(undo.name), propagationPolicy: 'Background' });
    },
    cleanup: async () => {
      await kube.deleteDaemonSets('gameday-system', 'gameday.dev/drill=contract-test');
      await kube.deleteConfigMaps('gameday-system', 'gameday.dev/drill=contract-test');
    },
  };
});
