/**
 * `node.iptables` (reversible, node-level): iptables rules on chosen nodes, applied by a
 * privileged hostNetwork DaemonSet whose agent (agent.sh) expires by itself at the deadline or
 * when the facilitator's lease stops being renewed. One target = the node set of the fault (one
 * DaemonSet, one pod per node); the node count is capped by the environment's maxTargets here.
 * Nodes opt out with the opt-in label set to anything else (e.g. gameday.dev/enabled=false);
 * otherwise node-level faults are gated by the explicit node-impact acknowledgement.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TOOLKIT_NAMESPACE, splitKeyValue } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import { boundedNumber, durationSchema, flag, integer } from '../../core/schema-helpers.js';
import type { NodeInfo } from '../../ports/kube.js';
import type { Injector } from '../contract.js';
import { agentConfigMap, agentDaemonSet, DEFAULT_AGENT_IMAGE, LEASE_KEY, labelValue, secondsOf, selectorFor } from './manifest.js';
import { chainPrefix, checkSpec, describeRules, renderRules, rulesFile, summarize, type RuleSpec } from './rules.js';


const targetSchema = z.strictObject({
  /** `all` (schedulable nodes) or node names joined by + */
  nodes: z.string().trim().min(1).default('all'),
  /** a node label selector, e.g. topology.kubernetes.io/zone=us-east-1a */
  selector: z.string().trim().min(1).optional(),
});

const paramsSchema = z
  .strictObject({
    preset: z.enum(['egress', 'ingress', 'dns']),
    /** egress: cidr[:port] */
    to: z.string().trim().min(1).optional(),
    /** ingress: port */
    port: integer(1, 65_535).optional(),
    protocol: z.enum(['tcp', 'udp', 'all']).optional(),
    action: z.enum(['drop', 'reject']).default('drop'),
    probability: boundedNumber(0, 1).optional(),
    /** let the rules hit the API server / kubelet path too (default: kept open) */
    allowControlPlane: flag.default(false),
    /** agent image (needs /bin/sh and iptables); default GAMEDAY_IPTABLES_IMAGE or DEFAULT_AGENT_IMAGE */
    image: z.string().trim().min(1).optional(),
    backend: z.enum(['auto', 'nft', 'legacy']).default('auto'),
    /** dead man's switch: how long the rules outlive the last renewal (≥ 30s; default 2m) */
    leaseTtl: durationSchema.default(120_000),
    /** how long inject waits for an agent pod Ready on every node (default 2m) */
    readyTimeout: durationSchema.default(120_000),
  })
  .superRefine((p, ctx) => {
    const spec: RuleSpec = { ...p } as RuleSpec;
    for (const message of checkSpec(spec)) ctx.addIssue({ code: 'custom', message });
    if (p.leaseTtl < 30_000) ctx.addIssue({ code: 'custom', path: ['leaseTtl'], message: 'leaseTtl must be at least 30s (the kubelet refreshes the mounted lease about once a minute)' });
  });

type Spec = z.infer<typeof targetSchema>;
type Params = z.infer<typeof paramsSchema>;
type NodeSet = { nodes: string[] };
type Undo = {
  namespace: string;
  name: string;
  selector: string;
  nodes: string[];
  chain: string;
  summary: string;
  rules: string[];
  /** the agent's rules file, exactly as it will be applied (journaled with the intent) */
  rulesFile: string;
  image: string;
  leaseTtlMs: number;
  deadline?: number;
  readyTimeoutMs: number;
};

const ruleSpec = (p: Params): RuleSpec => ({
  preset: p.preset,
  action: p.action,
  ...(p.to !== undefined ? { to: p.to } : {}),
  ...(p.port !== undefined ? { port: p.port } : {}),
  ...(p.protocol !== undefined ? { protocol: p.protocol } : {}),
  ...(p.probability !== undefined ? { probability: p.probability } : {}),
  allowControlPlane: p.allowControlPlane,
});

/** agent.sh ships in the package (package.json "files"); the same relative path works from src/ and dist/. */
const agentScript = (): string => readFileSync(new URL('../../../src/injectors/node-iptables/agent.sh', import.meta.url), 'utf8');

const schedulable = (n: NodeInfo): boolean => !n.unschedulable && !n.taints.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');

const DEFAULT_DURATION_MS = 600_000;

async function waitFor(ctx: { now(): number; sleep(ms: number, s?: AbortSignal): Promise<void>; signal: AbortSignal }, timeoutMs: number, what: () => Promise<boolean>): Promise<boolean> {
  const until = ctx.now() + timeoutMs;
  for (;;) {
    if (await what()) return true;
    if (ctx.now() >= until) return false;
    await ctx.sleep(500, ctx.signal);
  }
}

export const nodeIptables: Injector<'kube', Spec, Params, NodeSet, Undo> = {
  kind: 'node.iptables',
  title: 'iptables rules on nodes',
  description:
    'Blocks egress to cidr[:port], ingress to a port, or DNS on chosen nodes (drop or reject, optionally a share of packets) through a privileged DaemonSet agent that reverts by itself at the deadline or when the lease is not renewed.',
  reversible: true,
  nodeImpact: true,
  needs: ['kube'],
  // revert waits up to 120 s for the agent pods to go (they flush their chains on SIGTERM)
  revertDeadlineMs: 4 * 60_000,
  targetSchema,
  paramsSchema,
  keepAliveEveryMs: 15_000,
  kubeAccess: () => [
    { apiGroup: '', resource: 'nodes', verbs: ['list'], why: 'choose the nodes' },
    { namespace: 'default', apiGroup: 'discovery.k8s.io', resource: 'endpointslices', verbs: ['list'], why: 'the API server endpoints the agent must keep reachable' },
    { apiGroup: '', resource: 'namespaces', verbs: ['get'], resourceNames: [TOOLKIT_NAMESPACE], why: 'the agent runs in the toolkit namespace' },
    { namespace: TOOLKIT_NAMESPACE, apiGroup: '', resource: 'configmaps', verbs: ['create', 'get', 'list', 'patch', 'delete'], why: 'the agent rules and its lease (the dead man’s switch)' },
    { namespace: TOOLKIT_NAMESPACE, apiGroup: 'apps', resource: 'daemonsets', verbs: ['create', 'list', 'delete'], why: 'the node agent' },
    { namespace: TOOLKIT_NAMESPACE, apiGroup: '', resource: 'pods', verbs: ['list'], why: 'wait for the agent pods to be Ready, and gone' },
  ],

  async select(ctx, spec, params) {
    const all = await ctx.ports.kube.listNodes(spec.selector);
    const [optKey, optValue] = splitKeyValue(ctx.env.guards.optInLabel);
    const hasOptedOut = (n: NodeInfo) => Object.hasOwn(n.labels, optKey) && n.labels[optKey] !== optValue;
    let chosen: NodeInfo[];
    let skipped: string[] = [];
    if (spec.nodes === 'all') {
      // "all" means every node that may be touched: a node that opted out is left out (and said
      // so), not a reason to refuse the rest — e.g. the sandbox's simulated nodes beside its real one
      const candidates = all.filter(schedulable);
      skipped = candidates.filter(hasOptedOut).map((n) => n.name).sort();
      chosen = candidates.filter((n) => !hasOptedOut(n));
      if (chosen.length === 0 && skipped.length) {
        throw new GamedayError('GUARD_REFUSED', `node.iptables: every node${spec.selector ? ` matching ${spec.selector}` : ''} has opted out (${optKey} is not ${optValue} on ${skipped.join(', ')})`, { hint: 'opt nodes in, or name them in target.nodes' });
      }
    } else {
      const names = spec.nodes.split('+').map((s) => s.trim()).filter(Boolean);
      const missing = names.filter((n) => !all.some((x) => x.name === n));
      if (missing.length) throw new GamedayError('INVALID_INPUT', `node.iptables: no such node${missing.length > 1 ? 's' : ''}${spec.selector ? ` matching ${spec.selector}` : ''}: ${missing.join(', ')}`, { hint: 'kubectl get nodes' });
      chosen = all.filter((x) => names.includes(x.name));
    }
    if (chosen.length === 0) {
      throw new GamedayError('INVALID_INPUT', `node.iptables: no schedulable node${spec.selector ? ` matches ${spec.selector}` : ''} (${all.length} node(s) seen)`, { hint: 'kubectl get nodes --show-labels' });
    }
    if (chosen.length > ctx.env.guards.maxTargets) {
      throw new GamedayError('GUARD_REFUSED', `node.iptables: ${chosen.length} nodes exceeds the cap of ${ctx.env.guards.maxTargets} targets`, { hint: 'narrow target.nodes or target.selector' });
    }
    const optedOut = chosen.filter(hasOptedOut).map((n) => n.name);
    const names = chosen.map((n) => n.name).sort();
    return {
      targets: [
        {
          id: 'nodes',
          scope: {
            resource: `node${names.length > 1 ? 's' : ''} ${names.join(', ')}${optedOut.length ? ` (opted out: ${optedOut.join(', ')})` : ''}`,
            optedIn: optedOut.length === 0,
          },
          data: { nodes: names },
        },
      ],
      notes: [
        `${summarize(ruleSpec(params))} on ${names.length} node(s) of ${all.length}: one agent pod each in ${TOOLKIT_NAMESPACE}`,
        ...(skipped.length ? [`left out, opted out (${optKey} is not ${optValue}): ${skipped.join(', ')}`] : []),
      ],
    };
  },

  async prepare(ctx, target, params, ref) {
    const drill = labelValue(ref.drillId);
    const apiServers = params.allowControlPlane ? [] : await ctx.ports.kube.apiServerEndpoints();
    const spec = ruleSpec(params);
    const rules = renderRules(spec, drill, { apiServers, kubeletPort: 10250 });
    const chain = chainPrefix(drill, ref.faultId);
    return {
      namespace: TOOLKIT_NAMESPACE,
      name: `gameday-iptables-${chain.slice(3)}`,
      selector: selectorFor(ref.drillId, ref.faultId),
      nodes: target.data.nodes,
      chain,
      summary: summarize(spec),
      rules: describeRules(rules, chain),
      rulesFile: rulesFile(rules),
      image: params.image ?? process.env.GAMEDAY_IPTABLES_IMAGE ?? DEFAULT_AGENT_IMAGE,
      leaseTtlMs: params.leaseTtl,
      ...(ref.deadline !== undefined ? { deadline: ref.deadline } : {}),
      readyTimeoutMs: params.readyTimeout,
    };
  },

  async inject(ctx, _target, params, undo, ref) {
    const kube = ctx.ports.kube;
    const deadline = undo.deadline ?? ref.deadline ?? ctx.now() + DEFAULT_DURATION_MS;
    // attached: a short lease the process renews; detached: the lease runs to the deadline
    const leaseUntil = ref.attached ? Math.min(deadline, ctx.now() + undo.leaseTtlMs) : deadline;
    const objects = {
      namespace: undo.namespace,
      name: undo.name,
      drillId: ref.drillId,
      faultId: ref.faultId,
      nodes: undo.nodes,
      chain: undo.chain,
      rulesFile: undo.rulesFile,
      agentScript: agentScript(),
      image: undo.image,
      deadline,
      leaseUntil,
      backend: params.backend,
    };
    await kube.ensureNamespace(undo.namespace, { 'app.kubernetes.io/managed-by': 'gameday' });
    const created = async (f: () => Promise<void>): Promise<void> => {
      try {
        await f();
      } catch (e) {
        if ((e as { code?: unknown }).code !== 409) throw e; // already there: re-inject is a no-op
      }
    };
    await created(() => kube.createConfigMap(agentConfigMap(objects)));
    await created(() => kube.createDaemonSet(agentDaemonSet(objects)));
    ctx.progress(`node.iptables: waiting for an agent pod Ready on ${undo.nodes.length} node(s)`);
    let pods: { node?: string; ready: boolean }[] = [];
    const ok = await waitFor(ctx, undo.readyTimeoutMs, async () => {
      pods = (await kube.listPods(undo.namespace, undo.selector)).filter((p) => p.deletingAt === undefined).map((p) => ({ ...(p.nodeName ? { node: p.nodeName } : {}), ready: p.readyAt !== undefined }));
      return undo.nodes.every((n) => pods.some((p) => p.node === n && p.ready));
    });
    if (!ok) {
      const missing = undo.nodes.filter((n) => !pods.some((p) => p.node === n && p.ready));
      throw new GamedayError('INJECT_FAILED', `node.iptables: no Ready agent pod within ${Math.round(undo.readyTimeoutMs / 1000)}s on ${missing.join(', ')}`, {
        hint: `kubectl -n ${undo.namespace} describe pods -l ${undo.selector} (image pull? privileged pods allowed?)`,
      });
    }
    return { daemonSet: `${undo.namespace}/${undo.name}`, nodes: undo.nodes, pods: pods.length, chain: undo.chain, rules: undo.summary, deadline: new Date(deadline).toISOString(), leaseUntil: new Date(leaseUntil).toISOString() };
  },

  async revert(ctx, undo) {
    const kube = ctx.ports.kube;
    const ds = await kube.deleteDaemonSets(undo.namespace, undo.selector);
    // the agents revert their rules on SIGTERM as their pods go; wait until every pod is gone
    let left = 0;
    const gone = await waitFor(ctx, 120_000, async () => {
      left = (await kube.listPods(undo.namespace, undo.selector)).length;
      return left === 0;
    });
    const cms = await kube.deleteConfigMaps(undo.namespace, undo.selector);
    if (!gone) throw new GamedayError('REVERT_FAILED', `node.iptables: ${left} agent pod(s) of ${undo.name} still present after 120s`, { hint: `kubectl -n ${undo.namespace} get pods -l ${undo.selector}` });
    return ds + cms === 0 ? { outcome: 'already-reverted' } : { outcome: 'reverted', detail: { daemonSets: ds, configMaps: cms } };
  },

  async verify(ctx, undo, phase) {
    const kube = ctx.ports.kube;
    const [dss, pods] = await Promise.all([kube.listDaemonSets(undo.namespace, undo.selector), kube.listPods(undo.namespace, undo.selector)]);
    if (phase === 'reverted') {
      const ok = dss.length === 0 && pods.length === 0;
      return { ok, detail: ok ? `no agent DaemonSet or pod left for ${undo.name}` : `${dss.length} DaemonSet(s) and ${pods.length} pod(s) still labelled ${undo.selector}` };
    }
    const ready = undo.nodes.filter((n) => pods.some((p) => p.nodeName === n && p.readyAt !== undefined && p.deletingAt === undefined));
    const ok = dss.length === 1 && ready.length === undo.nodes.length;
    return { ok, detail: `DaemonSet ${dss.length ? 'present' : 'missing'}; agent Ready on ${ready.length}/${undo.nodes.length} node(s)` };
  },

  describeRevert(undo, target) {
    return `delete DaemonSet ${undo?.name ?? 'gameday-iptables-…'} and its ConfigMap in ${TOOLKIT_NAMESPACE} (agents flush their chains on SIGTERM) on ${(undo?.nodes ?? target.data.nodes).join(', ')}; agents also expire by themselves at the deadline`;
  },

  async keepAlive(ctx, undo, ref) {
    const deadline = undo.deadline ?? ref.deadline;
    const until = Math.min(deadline ?? Infinity, ctx.now() + undo.leaseTtlMs);
    await ctx.ports.kube.patchConfigMapData(undo.namespace, undo.name, { [LEASE_KEY]: secondsOf(until) });
  },
};
