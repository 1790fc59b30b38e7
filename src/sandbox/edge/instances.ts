/**
 * The cloud controller's stand-in: a node's EC2 instance in the local AWS endpoint decides whether
 * the node runs. Once a second the follower reads the instances of the sandbox's nodes (tag
 * gameday.dev/node) and acts on changes of state, never on the first reading — so `down`, which
 * stops the nodes itself, never finds the follower restarting one:
 *
 *   running → stopped/stopping   the node powers off: a real node's init stops its pods, kubelet and
 *                                containerd, its namespace (and links) go; a kwok node stops
 *                                heartbeating. Kubernetes does the rest: NotReady after the grace
 *                                period, the unreachable taint, evictions after the toleration.
 *   … → terminated               the same, and the Node object is deleted (the cloud node-lifecycle
 *                                controller's job on EKS)
 *   stopped → running            the node boots again: a real node's init starts anew and kubelet
 *                                re-registers; a kwok node heartbeats again.
 *
 * Edges alone are not enough for a kwok node: a heartbeat kwok had already scheduled can land after
 * the stop and write Ready=True again (seen under load in CI; kwok renews the Lease, so nothing
 * would ever turn it back). So each tick also holds down every node whose instance stays down
 * (`holdDown`, level-triggered like a controller's reconcile).
 */
import type { AwsClients } from '../../adapters/aws/clients.js';

export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated' | string;
export type NodeAction = { node: string; action: 'stop' | 'terminate' | 'start'; from: InstanceState; to: InstanceState };

const down = (s: InstanceState) => s === 'stopping' || s === 'stopped';
const gone = (s: InstanceState) => s === 'shutting-down' || s === 'terminated';
const up = (s: InstanceState) => s === 'pending' || s === 'running';

/** What changed between two readings (pure): by node name, the action its instance's new state asks for. */
export function nodeActions(before: Map<string, InstanceState>, now: Map<string, InstanceState>): NodeAction[] {
  const out: NodeAction[] = [];
  for (const [node, to] of now) {
    const from = before.get(node);
    if (from === undefined || from === to) continue;
    if (gone(to) && !gone(from)) out.push({ node, action: 'terminate', from, to });
    else if (down(to) && up(from)) out.push({ node, action: 'stop', from, to });
    else if (up(to) && down(from)) out.push({ node, action: 'start', from, to });
  }
  return out;
}

/** The nodes whose instance is down now and was down at the last reading too (pure): the stop has been acted on. */
export function nodesStayingDown(before: Map<string, InstanceState>, now: Map<string, InstanceState>): { node: string; state: InstanceState }[] {
  return [...now].filter(([node, s]) => down(s) && down(before.get(node) ?? '')).map(([node, state]) => ({ node, state }));
}

export interface InstanceFollowerOptions {
  clients: AwsClients;
  act(a: NodeAction): Promise<void>;
  /** Keeps a node whose instance stays down down; resolves with what it had to redo, if anything. */
  holdDown?(node: string, state: InstanceState): Promise<string | undefined>;
  log(m: string): void;
  intervalMs?: number;
}

export interface InstanceFollower {
  tick(): Promise<void>;
  stop(): void;
}

/** The state of each node's instance (the newest instance per node tag). */
export async function readNodeInstances(clients: AwsClients): Promise<Map<string, InstanceState>> {
  const ec2m = await import('@aws-sdk/client-ec2');
  const ec2 = await clients.get('ec2');
  const res = await ec2.send(new ec2m.DescribeInstancesCommand({ Filters: [{ Name: 'tag-key', Values: ['gameday.dev/node'] }], MaxResults: 1000 }));
  const out = new Map<string, { state: InstanceState; launched: number }>();
  for (const i of (res.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
    const node = i.Tags?.find((t) => t.Key === 'gameday.dev/node')?.Value;
    if (!node) continue;
    const launched = i.LaunchTime ? new Date(i.LaunchTime).getTime() : 0;
    const prev = out.get(node);
    if (!prev || launched >= prev.launched) out.set(node, { state: i.State?.Name ?? 'unknown', launched });
  }
  return new Map([...out].map(([k, v]) => [k, v.state]));
}

export function startInstanceFollower(o: InstanceFollowerOptions): InstanceFollower {
  let seen: Map<string, InstanceState> | undefined;
  let busy = false;
  let lastError = '';
  async function tick(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      const now = await readNodeInstances(o.clients);
      const actions = seen ? nodeActions(seen, now) : [];
      for (const a of actions) {
        const t0 = Date.now();
        o.log(`instance of ${a.node}: ${a.from} → ${a.to}: ${a.action} the node`);
        try {
          await o.act(a);
          o.log(`${a.node}: ${a.action} done in ${Date.now() - t0} ms`);
        } catch (e) {
          o.log(`${a.node}: ${a.action} failed: ${(e as Error).message}`);
        }
      }
      if (seen && o.holdDown) await holdDownAll(nodesStayingDown(seen, now));
      seen = now;
      lastError = '';
    } catch (e) {
      const m = (e as Error).message;
      if (m !== lastError) o.log(`cannot read the instances (retrying every second): ${m}`);
      lastError = m;
    } finally {
      busy = false;
    }
  }
  async function holdDownAll(nodes: { node: string; state: InstanceState }[]): Promise<void> {
    for (const { node, state } of nodes) {
      try {
        const redone = await o.holdDown?.(node, state);
        if (redone) o.log(`${node}: ${redone}`);
      } catch (e) {
        o.log(`${node}: holding it down failed: ${(e as Error).message}`);
      }
    }
  }
  const timer = setInterval(() => void tick(), o.intervalMs ?? 1_000);
  void tick();
  return { tick, stop: () => clearInterval(timer) };
}
