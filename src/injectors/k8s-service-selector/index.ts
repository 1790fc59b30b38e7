/**
 * `k8s.service-selector` (reversible): the seed's "Was a Kubernetes service not working
 * correctly?". Changes a Service's selector so it matches no pod (its endpoints vanish: callers
 * get "connection refused" or "no endpoints"), or its targetPort so the endpoints point at a port
 * nothing listens on. prepare journals the exact selector and ports; revert puts exactly those back
 * (selector keys the fault added are removed) while the Service still carries this fault's mark.
 */
import { namespaceOptInAccess } from '../k8s-shared/access.js';
import { z } from 'zod';
import type { V1ServicePort } from '@kubernetes/client-node';
import { GamedayError } from '../../core/errors.js';
import { durationSchema, integer, nonEmpty } from '../../core/schema-helpers.js';
import type { Injector, InjectorContext } from '../contract.js';
import { FAULT_ANNOTATION, markOf } from '../fault-mark.js';
import { formatSelector, namespaceScope, parseSelector, sameMap } from '../k8s-shared/marks.js';
import { pollUntil } from '../../core/clock.js';

const targetSchema = z.strictObject({ namespace: nonEmpty, service: nonEmpty });
const paramsSchema = z
  .strictObject({
    /** selector (default): the Service selects nothing; targetPort: it selects the pods on a dead port */
    mode: z.enum(['selector', 'targetPort']).default('selector'),
    /** the broken selector as k=v,...; default: the first key's value with "-v2" (pointed at pods not deployed yet) */
    selector: nonEmpty.optional(),
    /** the broken targetPort (a number or a port name); default 9 (discard: nothing listens) */
    targetPort: z.union([integer(1, 65535), nonEmpty]).optional(),
    /** how long verify waits for the endpoints to follow the selector (the endpoint controller's work) */
    settle: durationSchema.default(20_000),
  })
  .transform((p, ctx) => {
    let selector: Record<string, string> | undefined;
    if (p.selector !== undefined) {
      const s = parseSelector(p.selector);
      if (typeof s === 'string') ctx.addIssue({ code: 'custom', path: ['selector'], message: `selector ${s} (write k=v,k2=v2)` });
      else selector = s;
    }
    if (p.mode === 'selector' && p.targetPort !== undefined) ctx.addIssue({ code: 'custom', path: ['targetPort'], message: 'targetPort needs mode: targetPort' });
    if (p.mode === 'targetPort' && p.selector !== undefined) ctx.addIssue({ code: 'custom', path: ['selector'], message: 'selector needs mode: selector' });
    return { mode: p.mode, selector, targetPort: p.targetPort ?? 9, settleMs: p.settle };
  })
  .default({ mode: 'selector', selector: undefined, targetPort: 9, settleMs: 20_000 });

type Spec = z.infer<typeof targetSchema>;
type Params = z.infer<typeof paramsSchema>;
export type SelectorUndo = {
  namespace: string;
  service: string;
  uid: string;
  mode: 'selector' | 'targetPort';
  selectorBefore: Record<string, string>;
  portsBefore: V1ServicePort[];
  selectorAfter: Record<string, string>;
  portsAfter: V1ServicePort[];
  settleMs: number;
  mark: string;
};

const label = (u: { namespace: string; service: string }) => `service ${u.namespace}/${u.service}`;

/** The default broken selector: the first key points at pods that do not exist ("-v2"). */
const brokenSelector = (before: Record<string, string>): Record<string, string> => {
  const [k, v] = Object.entries(before)[0]!;
  return { ...before, [k]: `${v}-v2` };
};

const samePorts = (a: V1ServicePort[], b: V1ServicePort[]): boolean => a.length === b.length && a.every((p, i) => String(p.targetPort ?? p.port) === String(b[i]!.targetPort ?? b[i]!.port) && p.port === b[i]!.port);

async function readOurs(ctx: InjectorContext<'kube'>, undo: SelectorUndo) {
  const s = await ctx.ports.kube.readService(undo.namespace, undo.service);
  return { s, ours: !!s && s.uid === undo.uid && s.annotations[FAULT_ANNOTATION] === undo.mark };
}

type Data = Spec & { selectorNow?: Record<string, string> };

export const k8sServiceSelector: Injector<'kube', Spec, Params, Data, SelectorUndo> = {
  kind: 'k8s.service-selector',
  title: 'Break a Service',
  description:
    "Changes a Service's selector so it matches no pod (its endpoints vanish), or its targetPort to a port nothing listens on; revert restores exactly the journaled selector and ports.",
  reversible: true,
  needs: ['kube'],
  targetSchema,
  paramsSchema,
  kubeAccess: (spec) => [
    namespaceOptInAccess(spec.namespace),
    { namespace: spec.namespace, apiGroup: '', resource: 'services', verbs: ['get', 'patch'], resourceNames: [spec.service], why: 'read, break and restore the selector or targetPort (and the fault mark)' },
    { namespace: spec.namespace, apiGroup: 'discovery.k8s.io', resource: 'endpointslices', verbs: ['list'], why: 'see the endpoints vanish, and come back' },
  ],

  async select(ctx, spec, params) {
    const scope = await namespaceScope(ctx, 'k8s.service-selector', spec.namespace);
    const s = await ctx.ports.kube.readService(spec.namespace, spec.service);
    if (!s) throw new GamedayError('INVALID_INPUT', `k8s.service-selector: no ${label(spec)}`, { hint: `kubectl -n ${spec.namespace} get services` });
    if (!s.selector || Object.keys(s.selector).length === 0)
      throw new GamedayError('INVALID_INPUT', `k8s.service-selector: ${label(spec)} has no selector (type ${s.type}): its endpoints are not chosen by labels`, { hint: 'target a Service with a selector' });
    const eps = await ctx.ports.kube.serviceEndpoints(spec.namespace, spec.service);
    const after = params.mode === 'selector' ? `selector ${formatSelector(s.selector)} → ${formatSelector(params.selector ?? brokenSelector(s.selector))}` : `targetPort → ${params.targetPort} on ${s.ports.length} port(s)`;
    return {
      notes: [`${label(spec)}: ${after}; ${eps.ready} ready endpoint(s) now`],
      targets: [{ id: spec.service, scope: { resource: label(spec), namespace: spec.namespace, ...scope }, data: { ...spec, selectorNow: s.selector } }],
    };
  },

  async prepare(ctx, target, params, ref) {
    const s = await ctx.ports.kube.readService(target.data.namespace, target.data.service);
    if (!s || !s.selector) throw new GamedayError('TARGET_GONE', `${label(target.data)} is gone or has no selector`, { hint: 'plan again' });
    const other = s.annotations[FAULT_ANNOTATION];
    if (other) throw new GamedayError('GUARD_REFUSED', `${label(target.data)} is already under fault ${other}`, { hint: 'revert that fault first (gameday recover)' });
    const selectorAfter = params.mode === 'selector' ? (params.selector ?? brokenSelector(s.selector)) : s.selector;
    const portsAfter = params.mode === 'targetPort' ? s.ports.map((p) => ({ ...p, targetPort: params.targetPort as V1ServicePort['targetPort'] })) : s.ports;
    if (params.mode === 'selector' && sameMap(selectorAfter, s.selector)) throw new GamedayError('INVALID_INPUT', `k8s.service-selector: ${label(target.data)} already has selector ${formatSelector(s.selector)}`, { hint: 'choose another params.selector' });
    return { namespace: target.data.namespace, service: target.data.service, uid: s.uid, mode: params.mode, selectorBefore: s.selector, portsBefore: s.ports, selectorAfter, portsAfter, settleMs: params.settleMs, mark: markOf(ref) };
  },

  async inject(ctx, _target, _params, undo) {
    const r = await ctx.ports.kube.patchService(undo.namespace, undo.service, {
      ...(undo.mode === 'selector' ? { selector: undo.selectorAfter } : { ports: undo.portsAfter }),
      annotations: { [FAULT_ANNOTATION]: undo.mark },
    });
    if (r === 'not-found') throw new GamedayError('TARGET_GONE', `${label(undo)} was gone`, { hint: 'plan again' });
    return undo.mode === 'selector' ? { service: label(undo), selectorBefore: formatSelector(undo.selectorBefore), selector: formatSelector(undo.selectorAfter) } : { service: label(undo), targetPort: String(undo.portsAfter[0]?.targetPort) };
  },

  async revert(ctx, undo) {
    const { s, ours } = await readOurs(ctx, undo);
    if (!ours) return { outcome: 'already-reverted', detail: { service: label(undo), note: !s ? 'gone' : s.uid !== undo.uid ? 're-created since' : 'no longer carries this fault’s mark' } };
    const r = await ctx.ports.kube.patchService(undo.namespace, undo.service, { selector: undo.selectorBefore, ports: undo.portsBefore, annotations: { [FAULT_ANNOTATION]: null } });
    if (r === 'not-found') return { outcome: 'already-reverted', detail: { service: label(undo), note: 'gone' } };
    return { outcome: 'reverted', detail: { service: label(undo), selector: formatSelector(undo.selectorBefore) } };
  },

  async verify(ctx, undo, phase) {
    const { s, ours } = await readOurs(ctx, undo);
    if (!s || s.uid !== undo.uid) return { ok: phase === 'reverted', detail: `${label(undo)} is ${s ? 're-created' : 'gone'}` };
    if (phase === 'reverted') {
      const exact = sameMap(s.selector, undo.selectorBefore) && samePorts(s.ports, undo.portsBefore);
      return { ok: !ours && exact, detail: `${label(undo)}: selector ${formatSelector(s.selector)}${exact ? ' (as before)' : ` (before: ${formatSelector(undo.selectorBefore)})`}` };
    }
    const specOk = ours && sameMap(s.selector, undo.selectorAfter) && samePorts(s.ports, undo.portsAfter);
    if (!specOk || undo.mode === 'targetPort') return { ok: specOk, detail: `${label(undo)}: selector ${formatSelector(s.selector)}, targetPort ${String(s.ports[0]?.targetPort)}` };
    // the endpoint controller follows the selector within moments: the symptom is no endpoints
    const eps = await pollUntil(ctx, { what: `${label(undo)} to lose its endpoints`, timeoutMs: undo.settleMs, initialDelayMs: 250, maxDelayMs: 2_000 }, async () => {
      const e = await ctx.ports.kube.serviceEndpoints(undo.namespace, undo.service);
      return { done: e.ready === 0, value: e, status: `${e.ready} ready endpoint(s)` };
    });
    return { ok: eps.done, detail: `${label(undo)}: selector ${formatSelector(s.selector)}, ${eps.value.ready} ready endpoint(s)` };
  },

  describeRevert(undo, target) {
    const sel = undo?.selectorBefore ?? target.data.selectorNow;
    return `restore ${label(undo ?? target.data)}'s selector${sel ? ` ${formatSelector(sel)}` : ''} and ports exactly as journaled`;
  },
};
