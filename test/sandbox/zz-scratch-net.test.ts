import { test, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { ensureVpc, addNodeNetwork, deleteNamespace, ourNamespaces } from '../../src/sandbox/real-node/network.js';
import { planRealNode, VPC_NETNS } from '../../src/sandbox/real-node/layout.js';
test('scratch', async () => {
  await ensureVpc();
  const n = planRealNode({ index: 1, zone: 'us-east-1a', ip: '10.20.1.50', stateDir: '/tmp/gdstate' });
  await addNodeNetwork(n);
  await addNodeNetwork(n);
  console.log(ourNamespaces());
  console.log(execFileSync('ip', ['netns', 'exec', n.netns, 'busybox', 'ping', '-c1', '-W1', '10.20.0.1'], { encoding: 'utf8' }));
  console.log(execFileSync('ip', ['netns', 'exec', n.netns, 'busybox', 'ping', '-c1', '-W1', '10.20.3.10'], { encoding: 'utf8' }));
  await deleteNamespace(n.netns);
  await deleteNamespace(VPC_NETNS);
  expect(ourNamespaces()).toEqual([]);
});
