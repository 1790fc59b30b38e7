/**
 * What an instance's new state does to its node (the I/O behind instances.ts), read from and
 * recorded in the sandbox's state file. A real node is stopped the way `down` stops it (its init
 * stops pods, kubelet and containerd; its cgroup and network namespace go) and started the way `up`
 * starts it (a new init; kubelet re-registers); its new init's pid is recorded under the sandbox's
 * lock, so `down` and `status` find it. A kwok node gets a label that kwok's stages skip and its
 * Ready condition turns Unknown at once (kwok renews its Lease, so the grace period would never end).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { imageArchivePath, SANDBOX_IMAGES } from '../images.js';
import { withLock } from '../lock.js';
import type { SandboxPaths } from '../paths.js';
import { startRealNode, stopRealNode, type RealNodeRecord } from '../real-node/nodes.js';
import { SANDBOX_REGION } from '../seed-aws.js';
import { INSTANCE_STATE_LABEL } from '../stages.js';
import type { InstanceState, NodeAction } from './instances.js';
import { deleteNode, markNodeUnknown, nodeReadyStatus, setNodeLabel, type KubeAccess } from './kube-endpoints.js';

type StateFile = { realNodes?: RealNodeRecord[] } & Record<string, unknown>;
const readStateFile = (p: SandboxPaths): StateFile => JSON.parse(readFileSync(p.stateFile, 'utf8')) as StateFile;

export async function actOnNode(p: SandboxPaths, kube: KubeAccess, a: NodeAction): Promise<void> {
  const real = readStateFile(p).realNodes?.find((n) => n.plan.name === a.node);
  if (real) {
    if (a.action === 'start') {
      const images = SANDBOX_IMAGES.map((i) => ({ ref: i.ref, archive: imageArchivePath(p.cache, i.key) }));
      const rec = await startRealNode(p, real.plan, { images, region: SANDBOX_REGION });
      await withLock(p.lockFile, async () => {
        const s = readStateFile(p);
        const n = s.realNodes?.find((x) => x.plan.name === a.node);
        if (!n) return; // the sandbox was taken down meanwhile: its sweep finds the node by its cgroup
        n.process = rec;
        const tmp = `${p.stateFile}.${process.pid}.tmp`;
        writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`);
        renameSync(tmp, p.stateFile);
      });
    } else {
      await stopRealNode(p, real);
    }
  } else if (a.action === 'start') {
    await setNodeLabel(kube, a.node, INSTANCE_STATE_LABEL, null);
  } else {
    // the label first: kwok's stages skip the node from now on, then its Ready turns Unknown
    await setNodeLabel(kube, a.node, INSTANCE_STATE_LABEL, a.to);
    await markNodeUnknown(kube, a.node, `instance ${a.to}`);
  }
  if (a.action === 'terminate') await deleteNode(kube, a.node);
}

/**
 * A kwok node whose instance stays stopped must not look Ready: a heartbeat kwok scheduled before
 * the stop may have landed after it. Marks it again if so; a real node needs nothing (its kubelet
 * is gone with its init).
 */
export async function holdNodeDown(p: SandboxPaths, kube: KubeAccess, node: string, state: InstanceState): Promise<string | undefined> {
  if (readStateFile(p).realNodes?.some((n) => n.plan.name === node)) return undefined;
  if ((await nodeReadyStatus(kube, node)) !== 'True') return undefined;
  await setNodeLabel(kube, node, INSTANCE_STATE_LABEL, state);
  await markNodeUnknown(kube, node, `instance ${state}`);
  return `Ready again while its instance is ${state} (a late heartbeat): marked Unknown again`;
}
