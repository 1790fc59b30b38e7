/**
 * `k8s.scale` (reversible): set a Deployment's or StatefulSet's replicas to N (default 0: "who
 * scaled checkout to zero?"). prepare journals the replica count before; inject patches replicas
 * and marks the object (annotation gameday.dev/fault = drill/fault); revert restores the journaled
 * count only while the mark is ours, so reverting twice or after the team fixed it is a no-op.
 *
 * HorizontalPodAutoscaler: an HPA whose target has 0 replicas stops acting (ScalingActive=False,
 * "scaling is disabled since the replica count of the target is zero") and resumes once the
 * revert restores the count, so scaling to 0 is allowed and the plan says so. Scaling to N > 0
 * under an HPA is refused: the HPA would undo it within seconds and the drill would test nothing.
 */
import { namespaceOptInAccess } from '../k8s-shared/access.js';
import { z } from 'zod';
import { GamedayError } from '../../core/errors.js';
import { integer, nonEmpty } from '../../core/schema-helpers.js';
import type { ScalableKind } from '../../ports/kube.js';
import type { Injector } from '../contract.js';
import { FAULT_ANNOTATION, markOf } from '../fault-mark.js';
import { namespaceScope } from '../k8s-shared/marks.js';

/** the replica count before, on the object too: `kubectl describe` tells the players what it was */
export const REPLICAS_BEFORE_ANNOTATION = 'gameday.dev/replicas-before';

const targetSchema = z
  .strictObject({ namespace: nonEmpty, deployment: nonEmpty.optional(), statefulset: nonEmpty.optional() })
  .refine((t) => !!t.deployment !== !!t.statefulset, { message: 'give exactly one of deployment or statefulset (e.g. deployment=checkout)' })
  .transform((t) => ({ namespace: t.namespace, kind: (t.deployment ? 'deployment' : 'statefulset') as ScalableKind, name: (t.deployment ?? t.statefulset)! }));
const paramsSchema = z.strictObject({ replicas: integer(0, 10_000).default(0) }).default({ replicas: 0 });

type Spec = z.infer<typeof targetSchema>;
type Params = z.infer<typeof paramsSchema>;
type Data = Spec & { hpa?: string; replicasNow?: number };
export type ScaleUndo = { kind: ScalableKind; namespace: string; name: string; uid: string; replicasBefore: number; replicas: number; mark: string };

const label = (u: { kind: string; namespace: string; name: string }) => `${u.kind} ${u.namespace}/${u.name}`;

export const k8sScale: Injector<'kube', Spec, Params, Data, ScaleUndo> = {
  kind: 'k8s.scale',
  title: 'Scale a workload',
  description:
    'Scales a Deployment or StatefulSet to N replicas (default 0) and marks it; revert restores the journaled count. Scaling to 0 under an HPA is allowed (the HPA pauses at 0); to N > 0 under an HPA is refused.',
  reversible: true,
  needs: ['kube'],
  targetSchema,
  paramsSchema,
  kubeAccess: (spec) => [
    namespaceOptInAccess(spec.namespace),
    { namespace: spec.namespace, apiGroup: 'apps', resource: `${spec.kind}s`, verbs: ['get', 'patch'], resourceNames: [spec.name], why: 'read and patch the replica count (and the fault mark)' },
    { namespace: spec.namespace, apiGroup: 'autoscaling', resource: 'horizontalpodautoscalers', verbs: ['list'], why: 'an HPA that targets the workload changes what scaling means' },
  ],

  async select(ctx, spec, params) {
    const scope = await namespaceScope(ctx, 'k8s.scale', spec.namespace);
    const w = await ctx.ports.kube.readWorkload(spec.kind, spec.namespace, spec.name);
    if (!w) throw new GamedayError('INVALID_INPUT', `k8s.scale: no ${label(spec)}`, { hint: `kubectl -n ${spec.namespace} get ${spec.kind}s` });
    if (w.replicas === params.replicas) throw new GamedayError('INVALID_INPUT', `k8s.scale: ${label(spec)} already has ${w.replicas} replica(s): scaling it to ${params.replicas} breaks nothing`, { hint: 'choose another params.replicas' });
    const hpa = (await ctx.ports.kube.listHpas(spec.namespace)).find((h) => h.targetName === spec.name && h.targetKind.toLowerCase() === spec.kind);
    if (hpa && params.replicas > 0) {
      throw new GamedayError('GUARD_REFUSED', `k8s.scale: HPA ${spec.namespace}/${hpa.name} targets ${label(spec)} and would undo a scale to ${params.replicas} within seconds`, {
        hint: 'scale to 0 (the HPA pauses while the target has 0 replicas), or target a workload without an HPA',
      });
    }
    const notes = [`${label(spec)}: ${w.replicas} → ${params.replicas} replica(s) (${w.readyReplicas} ready now)`];
    if (hpa) notes.push(`HPA ${hpa.name} (min ${hpa.minReplicas ?? 1}, max ${hpa.maxReplicas}) pauses while the target has 0 replicas and resumes after the revert`);
    return {
      notes,
      targets: [{ id: `${spec.kind}-${spec.name}`, scope: { resource: label(spec), namespace: spec.namespace, ...scope }, data: { ...spec, replicasNow: w.replicas, ...(hpa ? { hpa: hpa.name } : {}) } }],
    };
  },

  async prepare(ctx, target, params, ref) {
    const { kind, namespace, name } = target.data;
    const w = await ctx.ports.kube.readWorkload(kind, namespace, name);
    if (!w) throw new GamedayError('TARGET_GONE', `${label(target.data)} is gone`, { hint: 'plan again' });
    const other = w.annotations[FAULT_ANNOTATION];
    if (other) throw new GamedayError('GUARD_REFUSED', `${label(target.data)} is already under fault ${other}`, { hint: 'revert that fault first (gameday recover)' });
    return { kind, namespace, name, uid: w.uid, replicasBefore: w.replicas, replicas: params.replicas, mark: markOf(ref) };
  },

  async inject(ctx, _target, _params, undo) {
    const r = await ctx.ports.kube.patchWorkload(undo.kind, undo.namespace, undo.name, {
      replicas: undo.replicas,
      annotations: { [FAULT_ANNOTATION]: undo.mark, [REPLICAS_BEFORE_ANNOTATION]: String(undo.replicasBefore) },
    });
    if (r === 'not-found') throw new GamedayError('TARGET_GONE', `${label(undo)} was gone`, { hint: 'plan again' });
    return { workload: label(undo), replicasBefore: undo.replicasBefore, replicas: undo.replicas };
  },

  async revert(ctx, undo) {
    const w = await ctx.ports.kube.readWorkload(undo.kind, undo.namespace, undo.name);
    // gone, re-created (another uid) or no longer carrying our mark: nothing of ours to undo
    if (!w || w.uid !== undo.uid) return { outcome: 'already-reverted', detail: { workload: label(undo), note: w ? 're-created since' : 'gone' } };
    if (w.annotations[FAULT_ANNOTATION] !== undo.mark) return { outcome: 'already-reverted', detail: { workload: label(undo), replicas: w.replicas } };
    const r = await ctx.ports.kube.patchWorkload(undo.kind, undo.namespace, undo.name, { replicas: undo.replicasBefore, annotations: { [FAULT_ANNOTATION]: null, [REPLICAS_BEFORE_ANNOTATION]: null } });
    if (r === 'not-found') return { outcome: 'already-reverted', detail: { workload: label(undo), note: 'gone' } };
    return { outcome: 'reverted', detail: { workload: label(undo), replicas: undo.replicasBefore, ...(w.replicas !== undo.replicas ? { note: `the team had set ${w.replicas}` } : {}) } };
  },

  async verify(ctx, undo, phase) {
    const w = await ctx.ports.kube.readWorkload(undo.kind, undo.namespace, undo.name);
    if (!w || w.uid !== undo.uid) return { ok: phase === 'reverted', detail: `${label(undo)} is ${w ? 're-created' : 'gone'}` };
    const ours = w.annotations[FAULT_ANNOTATION] === undo.mark;
    if (phase === 'injected') return { ok: ours && w.replicas === undo.replicas, detail: `${label(undo)} has ${w.replicas} replica(s) (fault wants ${undo.replicas})` };
    return { ok: !ours, detail: `${label(undo)} has ${w.replicas} replica(s) (was ${undo.replicasBefore})${ours ? ', still marked by this fault' : ''}` };
  },

  describeRevert(undo, target) {
    const n = undo?.replicasBefore ?? target.data.replicasNow;
    return `scale ${label(undo ?? target.data)} back to ${n !== undefined ? `${n} replica(s) (journaled before the change)` : 'its journaled replica count'}`;
  },
};
