/**
 * `k8s.node-drain` (reversible): "roll the machines". Cordons one node (spec.unschedulable, marked
 * with the fault's annotation) and evicts its pods through the Eviction API, so
 * PodDisruptionBudgets are honoured: an eviction a budget refuses is retried until `pdbWait`, then
 * reported with the budget's name and the server's reason (the pod stays). Revert uncordons
 * (restores spec.unschedulable as journaled); evicted pods are not brought back — their
 * controllers re-create them, and they schedule once the node (or another) takes pods again.
 *
 * What is evicted: only pods in opted-in namespaces that are not protected; DaemonSet pods and
 * mirror (static) pods are skipped as `kubectl drain --ignore-daemonsets` does. Everything left on
 * the node is listed in the plan and the journal. Nodes labelled with the opt-in key set to
 * anything but its value (gameday.dev/enabled=false) are never chosen, as in node.iptables.
 */
import { z } from 'zod';
import { ALWAYS_PROTECTED_NAMESPACES, splitKeyValue } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import { durationSchema, integer, nonEmpty } from '../../core/schema-helpers.js';
import type { NodeInfo, PodInfo } from '../../ports/kube.js';
import type { Injector, InjectorContext } from '../contract.js';
import { FAULT_ANNOTATION, markOf } from '../fault-mark.js';
import { pdbFor, triage, type Triage } from './triage.js';

const targetSchema = z
  .strictObject({
    /** a node name; without it one eligible node is drawn (seeded) */
    node: nonEmpty.optional(),
    /** a node label selector to draw from, e.g. topology.kubernetes.io/zone=us-east-1a */
    selector: nonEmpty.optional(),
  })
  .default({});
const paramsSchema = z
  .strictObject({
    /** seconds; default: each pod's own terminationGracePeriodSeconds */
    gracePeriod: integer(0, 86_400).optional(),
    /** how long to keep retrying evictions a PodDisruptionBudget refuses (kubectl drain retries every 5 s) */
    pdbWait: durationSchema.default(30_000),
  })
  .default({ pdbWait: 30_000 });

type Spec = z.infer<typeof targetSchema>;
type Params = z.infer<typeof paramsSchema>;
type Data = { node: string };
export type DrainUndo = { node: string; uid: string; wasUnschedulable: boolean; gracePeriod?: number; pdbWaitMs: number; mark: string };

const RETRY_MS = 2_000;
const eligible = (n: NodeInfo): boolean => n.ready && !n.unschedulable;
/** a node that repels new pods (NoSchedule/NoExecute) is a special one (GPU, dedicated): never drawn, only named */
const tainted = (n: NodeInfo): boolean => n.taints.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');

async function optedInNamespaces(ctx: InjectorContext<'kube'>, pods: PodInfo[]): Promise<Set<string>> {
  const [k, v] = splitKeyValue(ctx.env.guards.optInLabel);
  const out = new Set<string>();
  for (const ns of new Set(pods.map((p) => p.namespace))) if ((await ctx.ports.kube.namespaceLabels(ns))?.[k] === v) out.add(ns);
  return out;
}

async function podsToEvict(ctx: InjectorContext<'kube'>, node: string): Promise<Triage> {
  const pods = await ctx.ports.kube.listPodsOnNode(node);
  const protectedNs = new Set<string>([...ALWAYS_PROTECTED_NAMESPACES, ...ctx.env.guards.protectedNamespaces]);
  return triage(pods, await optedInNamespaces(ctx, pods), protectedNs);
}

export const k8sNodeDrain: Injector<'kube', Spec, Params, Data, DrainUndo> = {
  kind: 'k8s.node-drain',
  title: 'Drain a node',
  description:
    'Cordons a node and evicts its pods (opted-in namespaces) through the Eviction API, honouring PodDisruptionBudgets and reporting what a budget blocked; revert uncordons. "Roll the machines".',
  reversible: true,
  nodeImpact: true,
  needs: ['kube'],
  targetSchema,
  paramsSchema,
  kubeAccess: () => [
    { apiGroup: '', resource: 'nodes', verbs: ['get', 'list', 'patch'], why: 'choose the node, cordon and uncordon it (and its fault mark)' },
    { apiGroup: '', resource: 'pods', verbs: ['list'], why: 'the pods bound to the node (every namespace)' },
    { apiGroup: '', resource: 'pods/eviction', verbs: ['create'], why: 'evict through the Eviction API, honouring PodDisruptionBudgets' },
    { apiGroup: '', resource: 'namespaces', verbs: ['get'], why: 'only pods of opted-in namespaces are evicted' },
    { apiGroup: 'policy', resource: 'poddisruptionbudgets', verbs: ['list'], why: 'name the budget that blocked an eviction' },
  ],

  async select(ctx, spec, _params, random) {
    const all = await ctx.ports.kube.listNodes(spec.selector);
    const [optKey, optValue] = splitKeyValue(ctx.env.guards.optInLabel);
    const optedOut = (n: NodeInfo) => Object.hasOwn(n.labels, optKey) && n.labels[optKey] !== optValue;
    let node: NodeInfo;
    if (spec.node) {
      const n = all.find((x) => x.name === spec.node);
      if (!n) throw new GamedayError('INVALID_INPUT', `k8s.node-drain: no node ${spec.node}${spec.selector ? ` matching ${spec.selector}` : ''}`, { hint: 'kubectl get nodes' });
      if (!eligible(n)) throw new GamedayError('INVALID_INPUT', `k8s.node-drain: node ${n.name} is ${n.ready ? 'already cordoned' : 'not Ready'}`, { hint: 'choose a Ready, schedulable node' });
      node = n;
    } else {
      const pool = all.filter((n) => eligible(n) && !tainted(n) && !optedOut(n)).sort((a, b) => a.name.localeCompare(b.name));
      if (!pool.length) throw new GamedayError('INVALID_INPUT', `k8s.node-drain: no Ready, schedulable, untainted, opted-in node${spec.selector ? ` matches ${spec.selector}` : ''} (${all.length} node(s) seen)`, { hint: 'kubectl get nodes --show-labels' });
      node = pool[Math.min(pool.length - 1, Math.floor(random() * pool.length))]!;
    }
    const t = await podsToEvict(ctx, node.name);
    return {
      notes: [
        `node ${node.name}: ${t.evict.length} pod(s) to evict${t.evict.length ? ` (${t.evict.map((p) => `${p.namespace}/${p.name}`).slice(0, 6).join(', ')}${t.evict.length > 6 ? ', …' : ''})` : ''}`,
        ...(t.skipped.length ? [`left on the node: ${t.skipped.map((s) => `${s.pod} (${s.why})`).slice(0, 6).join(', ')}${t.skipped.length > 6 ? `, … ${t.skipped.length} in all` : ''}`] : []),
      ],
      targets: [{ id: node.name, scope: { resource: `node ${node.name}`, optedIn: !optedOut(node), optInBy: 'label' }, data: { node: node.name } }],
    };
  },

  async prepare(ctx, target, params, ref) {
    const n = await ctx.ports.kube.readNode(target.data.node);
    if (!n) throw new GamedayError('TARGET_GONE', `node ${target.data.node} is gone`, { hint: 'plan again' });
    const other = n.annotations[FAULT_ANNOTATION];
    if (other) throw new GamedayError('GUARD_REFUSED', `node ${n.name} is already under fault ${other}`, { hint: 'revert that fault first (gameday recover)' });
    return { node: n.name, uid: n.uid, wasUnschedulable: n.unschedulable, ...(params.gracePeriod !== undefined ? { gracePeriod: params.gracePeriod } : {}), pdbWaitMs: params.pdbWait, mark: markOf(ref) };
  },

  async inject(ctx, _target, _params, undo) {
    const r = await ctx.ports.kube.patchNode(undo.node, { unschedulable: true, annotations: { [FAULT_ANNOTATION]: undo.mark } });
    if (r === 'not-found') throw new GamedayError('TARGET_GONE', `node ${undo.node} was gone`, { hint: 'plan again' });
    const t = await podsToEvict(ctx, undo.node);
    const evicted: string[] = [];
    const gone: string[] = [];
    let pending = t.evict;
    let last = new Map<string, string>();
    const until = ctx.now() + undo.pdbWaitMs;
    for (;;) {
      const outcomes = await Promise.all(pending.map(async (p) => ({ p, r: await ctx.ports.kube.evictPod(p.namespace, p.name, { uid: p.uid, ...(undo.gracePeriod !== undefined ? { gracePeriodSeconds: undo.gracePeriod } : {}) }) })));
      last = new Map();
      for (const { p, r: o } of outcomes) {
        const id = `${p.namespace}/${p.name}`;
        if (o.outcome === 'evicted') evicted.push(id);
        else if (o.outcome === 'not-found') gone.push(id);
        else last.set(id, o.reason);
      }
      pending = pending.filter((p) => last.has(`${p.namespace}/${p.name}`));
      if (!pending.length || ctx.now() >= until) break;
      ctx.progress(`node ${undo.node}: ${pending.length} eviction(s) blocked by a PodDisruptionBudget, retrying`);
      await ctx.sleep(RETRY_MS, ctx.signal);
    }
    const blocked = await Promise.all(
      pending.map(async (p) => ({ pod: `${p.namespace}/${p.name}`, pdb: (await pdbFor(ctx.ports.kube, p)) ?? '(unknown)', reason: last.get(`${p.namespace}/${p.name}`) ?? '' })),
    );
    return { node: undo.node, cordoned: true, evicted, ...(gone.length ? { alreadyGone: gone } : {}), blockedByPdb: blocked, left: t.skipped.map((s) => `${s.pod} (${s.why})`) };
  },

  async revert(ctx, undo) {
    const n = await ctx.ports.kube.readNode(undo.node);
    if (!n || n.uid !== undo.uid) return { outcome: 'already-reverted', detail: { node: undo.node, note: n ? 're-created since' : 'gone' } };
    if (n.annotations[FAULT_ANNOTATION] !== undo.mark) return { outcome: 'already-reverted', detail: { node: undo.node, unschedulable: n.unschedulable } };
    // a node that was cordoned before the drill stays cordoned: only our change is undone
    const r = await ctx.ports.kube.patchNode(undo.node, { unschedulable: undo.wasUnschedulable ? true : null, annotations: { [FAULT_ANNOTATION]: null } });
    if (r === 'not-found') return { outcome: 'already-reverted', detail: { node: undo.node, note: 'gone' } };
    return { outcome: 'reverted', detail: { node: undo.node, unschedulable: undo.wasUnschedulable } };
  },

  async verify(ctx, undo, phase) {
    const n = await ctx.ports.kube.readNode(undo.node);
    if (!n || n.uid !== undo.uid) return { ok: phase === 'reverted', detail: `node ${undo.node} is ${n ? 're-created' : 'gone'}` };
    const ours = n.annotations[FAULT_ANNOTATION] === undo.mark;
    if (phase === 'injected') {
      const t = await podsToEvict(ctx, undo.node);
      const running = t.evict.filter((p) => p.deletingAt === undefined).length;
      return { ok: ours && n.unschedulable, detail: `node ${undo.node} ${n.unschedulable ? 'cordoned' : 'schedulable'}; ${running} evictable pod(s) not terminating (a budget may hold them)` };
    }
    return { ok: !ours && n.unschedulable === undo.wasUnschedulable, detail: `node ${undo.node} ${n.unschedulable ? 'cordoned' : 'schedulable'} (was ${undo.wasUnschedulable ? 'cordoned' : 'schedulable'})` };
  },

  describeRevert(undo, target) {
    const node = undo?.node ?? target.data.node;
    return undo?.wasUnschedulable ? `node ${node} was cordoned before: leave it so (evicted pods are re-created by their controllers)` : `uncordon node ${node} (evicted pods are re-created by their controllers)`;
  },
};
