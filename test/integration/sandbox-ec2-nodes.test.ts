/**
 * The cloud controller's stand-in (src/sandbox/edge/instances.ts): stopping a node's EC2 instance in
 * the sandbox's AWS endpoint takes the node down for real, starting it brings it back.
 *
 * This file changes the sandbox's own AWS state (the follower watches that endpoint only): under the
 * real-node network lock (and the shop's, while the real node is off), and every instance it stopped
 * is started again before it lets go.
 */
import { describe, expect, it } from 'vitest';
import * as EC2 from '@aws-sdk/client-ec2';
import { AwsClients } from '../../src/adapters/aws/clients.js';
import { isRunning } from '../../src/sandbox/supervisor.js';
import { readState } from '../../src/sandbox/sandbox.js';
import { sandboxPaths } from '../../src/sandbox/paths.js';
import { viaFrontDoor } from '../helpers/sandbox/real-node.js';
import { kube, sandbox, sandboxEnvironment, waitUntil, withRealNodeNetwork, withShopCheckout } from '../helpers/sandbox/sandbox.js';

type NodeLike = { status?: { conditions?: { type: string; status: string }[] }; spec?: { taints?: { key: string }[] } };
const ready = (n: NodeLike) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;

async function withInstances<T>(fn: (ec2: { stop(node: string): Promise<void>; start(node: string): Promise<void> }) => Promise<T>): Promise<T> {
  const clients = AwsClients.forEnvironment(sandboxEnvironment());
  const ec2 = await clients.get('ec2');
  const stopped = new Set<string>();
  const id = (node: string) => sandbox().world!.instances[node]!;
  try {
    return await fn({
      stop: async (node) => {
        stopped.add(node);
        await ec2.send(new EC2.StopInstancesCommand({ InstanceIds: [id(node)] }));
      },
      start: async (node) => {
        await ec2.send(new EC2.StartInstancesCommand({ InstanceIds: [id(node)] }));
        stopped.delete(node);
      },
    });
  } finally {
    if (stopped.size) await ec2.send(new EC2.StartInstancesCommand({ InstanceIds: [...stopped].map(id) }));
    await clients.destroy();
  }
}

describe('EC2 instances drive their nodes', () => {
  it('stopping a kwok node\'s instance turns the node NotReady (unreachable taint); starting it brings it back', () =>
    withRealNodeNetwork(() =>
      withInstances(async (ec2) => {
        const { core } = await kube();
        const node = sandbox().nodes[0]!;
        expect(ready(await core.readNode({ name: node }))).toBe('True');
        const t0 = Date.now();
        await ec2.stop(node);
        const down = await waitUntil(`${node} to turn NotReady`, async () => {
          const n = await core.readNode({ name: node });
          return ready(n) !== 'True' && n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable') ? n : undefined;
        }, 30_000, 500);
        console.log(`kwok node ${node}: Ready=${ready(down)} with the unreachable taint ${Date.now() - t0} ms after StopInstances`);
        await ec2.start(node);
        await waitUntil(`${node} to be Ready again`, async () => ready(await core.readNode({ name: node })) === 'True', 30_000, 500);
      }),
    ), 120_000);

  // the shop is down for a minute: the files that need it whole (network faults, pod kills) wait
  it('stopping the real node\'s instance stops its kubelet and pods: NotReady, the shop down through the front door, replacements Pending; starting it brings all back', () =>
    withRealNodeNetwork(() => withShopCheckout(() =>
      withInstances(async (ec2) => {
        const { core } = await kube();
        const node = sandbox().realNodes[0]!;
        const p = sandboxPaths(process.env.GAMEDAY_CACHE);
        const init = () => readState(p)?.realNodes?.find((n) => n.plan.name === node)?.process;
        await waitUntil('the shop to answer 200', async () => {
          const r = await viaFrontDoor('/checkout');
          return 'status' in r && r.status === 200;
        }, 60_000, 500);
        const before = new Set((await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=checkout' })).items.map((x) => x.metadata!.name!));
        const t0 = Date.now();
        await ec2.stop(node);
        // the machine is off: its init (kubelet, containerd, the pods) is gone, and the shop with it
        await waitUntil(`${node}'s init to stop`, async () => !isRunning(init()!), 60_000, 500);
        // the load balancer has no healthy target: the kwok nodes' instances are registered but
        // nothing answers there, so it fails open to them (502) or has none in service (503)
        const front = await viaFrontDoor('/checkout');
        expect([502, 503]).toContain('status' in front ? front.status : front.error);
        await waitUntil(`${node} to turn NotReady`, async () => ready(await core.readNode({ name: node })) !== 'True', 60_000, 1_000);
        const notReadyMs = Date.now() - t0;
        // after the (shortened) toleration, the pods are evicted: replacements wait for a node
        const pending = await waitUntil('replacement checkout pods', async () => {
          const pods = (await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=checkout' })).items;
          const fresh = pods.filter((x) => !before.has(x.metadata!.name!));
          return fresh.length >= 3 ? fresh : undefined;
        }, 90_000, 1_000);
        const evictedMs = Date.now() - t0;
        expect(pending.every((x) => x.status?.phase === 'Pending')).toBe(true);
        console.log(`real node ${node}: NotReady ${notReadyMs} ms after StopInstances; replacement pods ${evictedMs} ms after`);
        const t1 = Date.now();
        await ec2.start(node);
        await waitUntil(`${node} to be Ready again`, async () => ready(await core.readNode({ name: node })) === 'True', 120_000, 1_000);
        expect(isRunning(init()!)).toBe(true);
        await waitUntil('the shop to answer 200 again', async () => {
          const r = await viaFrontDoor('/checkout');
          return 'status' in r && r.status === 200;
        }, 180_000, 1_000);
        console.log(`real node ${node}: the shop answers 200 again ${Date.now() - t1} ms after StartInstances`);
      }),
    )), 420_000);
});
