/**
 * `k8s.pod-kill` (one-shot): delete pods chosen by a seeded draw from a namespace + label selector,
 * then watch each owner bring a replacement to Scheduled and Ready (the recovery evidence).
 * Deletes of one fault fire concurrently (the runner starts every target at once); the KubePort's
 * token bucket paces them, and each is journaled with the time the server acknowledged it. One target per pod. Type-only client imports: the registry stays light.
 */
import { namespaceOptInAccess } from '../k8s-shared/access.js';
import { z } from 'zod';
import { DRILL_LABEL, MANAGED_BY_LABEL, TOOLKIT_NAMESPACE, splitKeyValue } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import { boundedNumber, durationSchema, flag, integer, nonEmpty } from '../../core/schema-helpers.js';
import type { PodDeleteResult, PodInfo, PodListing } from '../../ports/kube.js';
import type { Injector } from '../contract.js';
import { bornSince, choose, filterCandidates, howMany, rankAmong, workloadName, type Existing, type KillMode } from './choose.js';
import { claimTracker, ReplacementTracker, startTracker, trackerKey, type Recovery, type TrackedPod } from './tracker.js';


const targetSchema = z.strictObject({
  namespace: nonEmpty,
  /** a label selector, e.g. app=checkout */
  selector: nonEmpty,
});

const paramsSchema = z
  .strictObject({
    mode: z.enum(['one', 'count', 'percent', 'all']).optional(),
    count: integer(1, 10_000).optional(),
    percent: boundedNumber(0, 100).refine((n) => n > 0, 'must be more than 0').optional(),
    /** seconds; default: each pod's own terminationGracePeriodSeconds */
    gracePeriod: integer(0, 86_400).optional(),
    /** only pods at least this old (e.g. 1m) */
    minAge: durationSchema.optional(),
    onlyRunning: flag.default(true),
    /** how long to watch for replacements before giving up (default 5m) */
    observeFor: durationSchema.default(300_000),
  })
  .transform((p, ctx) => {
    const given = [p.count !== undefined && 'count', p.percent !== undefined && 'percent', p.mode === 'all' && 'all'].filter(Boolean);
    if (given.length > 1) ctx.addIssue({ code: 'custom', message: `choose one of count, percent or mode=all (got ${given.join(' and ')})` });
    if (p.mode === 'count' && p.count === undefined) ctx.addIssue({ code: 'custom', message: 'mode count needs count: N' });
    if (p.mode === 'percent' && p.percent === undefined) ctx.addIssue({ code: 'custom', message: 'mode percent needs percent: P' });
    if (p.mode === 'one' && (p.count !== undefined || p.percent !== undefined)) ctx.addIssue({ code: 'custom', message: 'mode one takes no count or percent' });
    const kill: KillMode =
      p.count !== undefined ? { mode: 'count', count: p.count } : p.percent !== undefined ? { mode: 'percent', percent: p.percent } : p.mode === 'all' ? { mode: 'all' } : { mode: 'one' };
    return { kill, gracePeriod: p.gracePeriod, minAgeMs: p.minAge, onlyRunning: p.onlyRunning, observeForMs: p.observeFor };
  });

type Spec = z.infer<typeof targetSchema>;
type Params = z.infer<typeof paramsSchema>;

type PodTarget = {
  namespace: string;
  pod: string;
  uid: string;
  selector: string;
  node?: string;
  owner?: { kind: string; name: string; uid: string };
  workload?: string;
  /** the pod's rank among the pods chosen from its owner, sorted by name: which new pod replaces it */
  rank: number;
  /** when the selection's pods were listed (epoch ms, this process's clock) */
  chosenAt: number;
  /** the owner's pods when the choice was made: one Set per owner, shared by its targets; in memory only, never journaled */
  known: ReadonlySet<string>;
};
/**
 * O(1) in the size of the kill: the journal holds one per target, and names of every chosen and
 * every listed pod of the owner (as undos once carried) made a kill of N pods journal 2N² names.
 */
type Undo = Omit<PodTarget, 'known'> & { gracePeriod?: number; observeForMs: number };
/** An undo as a journal may hold it: before issue 15 it carried `peers` (the owner's chosen pods) and `known` instead of `rank` and `chosenAt`. */
type JournaledUndo = Omit<Undo, 'rank' | 'chosenAt'> & Partial<Pick<Undo, 'rank' | 'chosenAt'>> & { peers?: string[]; known?: string[] };

const NONE: ReadonlySet<string> = new Set();

/**
 * The selection's list, by each owner's `known` Set (memory only, like the Set): the replacement
 * watch starts from it rather than listing the pods again before the first delete (at 100 pods
 * that list held the kill back ≈ 0.1 s, issue 15). Only while recent: a watch from an old version
 * would replay every change since as if it were live (or be refused, 410, and list anyway).
 */
const listings = new WeakMap<ReadonlySet<string>, PodListing & { at: number }>();
const LISTING_FRESH_MS = 60_000;

/** What a tracker needs, from the target select made in this process: the exact set of the owner's pods, and the selection's list while recent. */
const trackedTarget = (d: PodTarget, now: number): TrackedPod => {
  const listing = listings.get(d.known);
  const from = listing && now - listing.at <= LISTING_FRESH_MS ? listing : undefined;
  return { namespace: d.namespace, pod: d.pod, selector: d.selector, owner: d.owner!, rank: d.rank, existing: { names: d.known }, ...(from ? { from } : {}) };
};

/**
 * What a tracker needs, from a journaled undo alone (observe without the tracker inject started).
 * Old undos still read: the rank from `peers`, the exact `known` names (a Set per target, so their
 * trackers share no memo and stay O(N log N) each per event, as they were). `deletedAt` stands in
 * for a choice time nobody recorded (the choice came before the delete).
 */
export function trackedUndo(u: JournaledUndo, deletedAt: number): TrackedPod {
  const rank = u.rank ?? rankAmong(u.peers ?? [], u.pod);
  const existing: Existing = u.known ? { names: new Set(u.known) } : bornSince(u.chosenAt ?? deletedAt);
  return { namespace: u.namespace, pod: u.pod, selector: u.selector, owner: u.owner!, rank, existing };
}

const isToolkitPod = (p: PodInfo): boolean => p.namespace === TOOLKIT_NAMESPACE || Object.hasOwn(p.labels, DRILL_LABEL) || p.labels[MANAGED_BY_LABEL] === 'gameday';

export const k8sPodKill: Injector<'kube', Spec, Params, PodTarget, Undo> = {
  kind: 'k8s.pod-kill',
  title: 'Kill pods',
  description:
    'Deletes pods chosen at random (seeded, replayable) from a namespace and label selector: one, a count, a percent or all. One-shot; records how long each owner took to get a replacement Scheduled and Ready.',
  reversible: false,
  needs: ['kube'],
  targetSchema,
  paramsSchema,
  kubeAccess: (spec) => [
    namespaceOptInAccess(spec.namespace),
    { namespace: spec.namespace, apiGroup: '', resource: 'pods', verbs: ['list', 'watch', 'delete'], why: 'choose pods, delete them, watch their replacements become Ready' },
  ],

  async select(ctx, spec, params, random) {
    const kube = ctx.ports.kube;
    const labels = await kube.namespaceLabels(spec.namespace);
    if (labels === undefined) throw new GamedayError('INVALID_INPUT', `namespace "${spec.namespace}" does not exist`, { hint: 'check target.namespace (kubectl get namespaces)' });
    const [optKey, optValue] = splitKeyValue(ctx.env.guards.optInLabel);
    const optedIn = labels[optKey] === optValue;
    const listing = await kube.listPodsVersioned(spec.namespace, spec.selector);
    const pods = listing.pods;
    const chosenAt = ctx.now();
    const { candidates, excluded } = filterCandidates(pods, { onlyRunning: params.onlyRunning, minAgeMs: params.minAgeMs, now: chosenAt });
    if (candidates.length === 0) {
      const why = pods.length === 0 ? 'no pod matches it' : `${pods.length} pod(s) match but none qualifies (terminating ${excluded.terminating}, not Running ${excluded.notRunning}, too young ${excluded.tooYoung})`;
      throw new GamedayError('INVALID_INPUT', `k8s.pod-kill: nothing to kill in namespace ${spec.namespace} with selector ${spec.selector}: ${why}`, {
        hint: `kubectl -n ${spec.namespace} get pods -l ${spec.selector}`,
      });
    }
    const chosen = choose(candidates, howMany(params.kill, candidates.length), random);
    // grouped once per owner and shared by its targets: building them per target was quadratic
    // (a plan of 10,000 pods took 14 s of CPU and ~1 GB in these lists alone). Each target keeps
    // its rank among its owner's chosen pods, not the list: the journal holds every target's undo
    const rank = new Map<string, number>();
    for (const names of groupNames(chosen).values()) names.sort().forEach((n, i) => rank.set(n, i));
    const knownByOwner = new Map([...groupNames(pods)].map(([uid, names]) => [uid, new Set(names)]));
    const listed = { ...listing, at: chosenAt };
    for (const known of knownByOwner.values()) listings.set(known, listed);
    return {
      candidates: candidates.length,
      notes: [
        `${chosen.length} of ${candidates.length} candidate pod(s) (${params.kill.mode === 'count' ? `count ${params.kill.count}` : params.kill.mode === 'percent' ? `${params.kill.percent}%` : params.kill.mode})`,
        ...(excluded.terminating + excluded.notRunning + excluded.tooYoung > 0 ? [`excluded: ${excluded.terminating} terminating, ${excluded.notRunning} not Running, ${excluded.tooYoung} too young`] : []),
      ],
      targets: chosen.map((p) => ({
        id: p.name,
        scope: { resource: `pod ${p.namespace}/${p.name}`, namespace: p.namespace, optedIn, toolkitOwned: isToolkitPod(p) },
        data: {
          namespace: p.namespace,
          pod: p.name,
          uid: p.uid,
          selector: spec.selector,
          ...(p.nodeName ? { node: p.nodeName } : {}),
          ...(p.owner ? { owner: p.owner, workload: workloadName(p.owner, p.labels) } : {}),
          rank: rank.get(p.name) ?? 0,
          chosenAt,
          known: p.owner ? knownByOwner.get(p.owner.uid)! : NONE,
        },
      })),
    };
  },

  async prepare(_ctx, target, params) {
    // the exact names stay in memory (inject reads them from the target); the journal gets rank and chosenAt
    const { known: _known, ...data } = target.data;
    return { ...data, ...(params.gracePeriod !== undefined ? { gracePeriod: params.gracePeriod } : {}), observeForMs: params.observeForMs };
  },

  async inject(ctx, target, _params, undo, ref) {
    // watch the owner's pods from before the delete: the replacement's every step is seen live.
    // Every target of the kill joins the same watch (one per namespace/selector, from the selection's list)
    const tracker = undo.owner ? startTracker(ctx.ports.kube, trackerKey(ref.drillId, ref.faultId), trackedTarget(target.data, ctx.now()), ctx.now) : undefined;
    // at once from the selection's list; else bounded: a slow list must not hold the kill back for
    // long (observe then falls back to API times)
    if (tracker) await Promise.race([tracker.synced, new Promise((r) => setTimeout(r, 5_000).unref?.())]);
    let r: PodDeleteResult;
    try {
      r = await ctx.ports.kube.deletePod(undo.namespace, undo.pod, { uid: undo.uid, ...(undo.gracePeriod !== undefined ? { gracePeriodSeconds: undo.gracePeriod } : {}) });
    } catch (e) {
      tracker?.stop();
      throw e;
    }
    if (r.outcome === 'not-found') {
      tracker?.stop();
      throw new GamedayError('TARGET_GONE', `pod ${undo.namespace}/${undo.pod} was already gone`, { hint: 'plan again: the selection changed' });
    }
    // the delete's time is the server's answer, not our decision to send it: a rate limiter may
    // have held the request, and the journal's spread must be the spread the server saw
    const at = r.acknowledgedAt;
    if (tracker) tracker.deletedAt = at;
    return {
      pod: `${undo.namespace}/${undo.pod}`,
      uid: undo.uid,
      ...(undo.node ? { node: undo.node } : {}),
      ...(undo.workload ? { owner: undo.workload } : {}),
      deletedAt: new Date(at).toISOString(),
      deletedAtMs: at,
      sentAtMs: r.sentAt,
      ...(r.deletionTimestamp !== undefined ? { deletionTimestamp: new Date(r.deletionTimestamp).toISOString() } : {}),
      ...(undo.gracePeriod !== undefined ? { gracePeriod: undo.gracePeriod } : {}),
    };
  },

  async revert() {
    return { outcome: 'nothing-to-revert' };
  },

  async verify(ctx, undo, phase) {
    if (phase === 'reverted') return { ok: true, detail: 'one-shot: nothing to revert (the controller replaces the pod)' };
    const still = (await ctx.ports.kube.listPods(undo.namespace, undo.selector)).find((p) => p.uid === undo.uid);
    if (!still) return { ok: true, detail: `pod ${undo.pod} is gone` };
    if (still.deletingAt !== undefined) return { ok: true, detail: `pod ${undo.pod} is terminating` };
    return { ok: false, detail: `pod ${undo.pod} is still there and not terminating` };
  },

  describeRevert(undo, target) {
    const w = undo?.workload ?? target.data.workload;
    return w ? `nothing to revert: ${w} replaces the pod` : 'nothing to revert, and no controller will replace this pod';
  },

  async observe(ctx, undo, injected, report, ref) {
    const deletedAt = Number((injected as { deletedAtMs?: number } | undefined)?.deletedAtMs ?? ctx.now());
    const pod = `${undo.namespace}/${undo.pod}`;
    if (!undo.owner) {
      await report({ pod, replacement: null, note: 'no controller owns this pod: nothing will replace it' });
      return;
    }
    const remaining = deletedAt + undo.observeForMs - ctx.now();
    let tracker = claimTracker(trackerKey(ref.drillId, ref.faultId));
    if (tracker) tracker.stopAfter(remaining);
    else {
      tracker = new ReplacementTracker(ctx.ports.kube, trackedUndo(undo, deletedAt), ctx.now, { stopAfterMs: remaining });
      tracker.deletedAt = deletedAt;
    }
    let rec: Recovery | undefined;
    try {
      rec = await tracker.ready(ctx.signal);
    } finally {
      tracker.stop();
      await tracker.done;
    }
    const base = { pod, ...(undo.workload ? { owner: undo.workload } : {}) };
    if (rec) {
      const after = (t: number | undefined) => (t === undefined ? undefined : Math.max(0, t - deletedAt));
      await report({
        ...base,
        replacement: `${rec.replacement.namespace}/${rec.replacement.name}`,
        ...(rec.replacement.nodeName ? { node: rec.replacement.nodeName } : {}),
        deletedAt: new Date(deletedAt).toISOString(),
        createdAfterMs: after(rec.createdAt),
        scheduledAfterMs: after(rec.scheduledAt),
        readyAfterMs: after(rec.readyAt),
        readyAt: new Date(rec.readyAt!).toISOString(),
        precision: rec.precision,
      });
      return;
    }
    if (ctx.signal.aborted) return;
    const c = tracker.current();
    const secs = Math.round(undo.observeForMs / 1000);
    await report({
      ...base,
      replacement: c ? `${c.replacement.namespace}/${c.replacement.name}` : null,
      timedOut: true,
      waitedMs: ctx.now() - deletedAt,
      note: c ? `replacement ${c.replacement.name} was not Ready within ${secs}s` : `no replacement appeared within ${secs}s`,
      ...(c?.scheduledAt !== undefined ? { scheduledAfterMs: c.scheduledAt - deletedAt } : {}),
    });
  },
};

/** The names of the pods of each controlling owner (by uid), in the order given. */
function groupNames(pods: readonly PodInfo[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of pods) {
    if (!p.owner) continue;
    const names = out.get(p.owner.uid);
    if (names) names.push(p.name);
    else out.set(p.owner.uid, [p.name]);
  }
  return out;
}
