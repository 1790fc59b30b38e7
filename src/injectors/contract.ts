/**
 * The contract every fault injector meets. One module per kind under src/injectors/<kind>/,
 * registered once in src/injectors/registry.ts. The runner (src/runner/) owns iteration over
 * targets, deadlines, journaling, rollback and events; an injector only knows one target at a time
 * and talks to the world through the narrow ports it declares in `needs`.
 *
 * Life of one fault on one target:
 *   select (read-only, all targets)  → guards (pure, src/core/guards.ts)
 *   → prepare (read-only: capture everything needed to undo)  → journal `fault-intent` (fsync)
 *   → inject  → journal `fault-injected`  → verify('injected')
 *   … later, from this process or any other after a crash …
 *   → revert(undo)  (idempotent: "not found" means already reverted)  → verify('reverted')
 *
 * Injector modules must not import heavy clients at runtime (type-only imports): `validate`,
 * `list` and `show` load the registry and must stay fast.
 */
import type { z } from 'zod';
import type { Environment } from '../core/environment.js';
import type { AwsAccess } from '../core/aws-access.js';
import type { KubeAccess } from '../core/kube-access.js';
import type { PortName, PortSet } from '../ports/index.js';

/** Facts about a target that the pure guard check needs. */
export interface TargetScope {
  /** the resource as a user would name it: pod shop/checkout-abc, loadbalancer shop-public */
  resource: string;
  /** Kubernetes namespace, when the target lives in one */
  namespace?: string;
  /** carries the environment's opt-in label (its namespace does) or tag */
  optedIn: boolean;
  /** belongs to the toolkit itself (the agent, our namespace) */
  toolkitOwned?: boolean;
  /** how a target without a namespace opts in: an AWS tag (default) or a label on the object (a node) */
  optInBy?: 'label' | 'tag';
}

export interface Target<TData = unknown> {
  /** stable, short, unique within the fault: used to build the fault id */
  id: string;
  scope: TargetScope;
  /** injector-private data resolved by select (names, ARNs, node list…) */
  data: TData;
}

export interface Selection<TData = unknown> {
  targets: Target<TData>[];
  /** how many candidates the choice was made from, when a share makes sense (pods of a selector) */
  candidates?: number;
  /** extra lines for the plan (why these targets, the seed used…) */
  notes?: string[];
}

export interface FaultRef {
  faultId: string;
  drillId: string;
  /** epoch ms; reversible faults only */
  deadline?: number;
  /**
   * true while a gameday process stays attached (run, inject --wait) and keeps the fault alive;
   * false for a detached inject, whose fault must survive until its deadline on its own.
   */
  attached: boolean;
}

export interface InjectorContext<N extends PortName = PortName> {
  env: Environment;
  ports: Pick<PortSet, N>;
  signal: AbortSignal;
  /** a line of progress for long steps (waiting for an LB to be active…) */
  progress(message: string): void;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export type RevertOutcome = 'reverted' | 'already-reverted' | 'nothing-to-revert';
export interface VerifyResult {
  ok: boolean;
  detail?: string;
}

export interface Injector<N extends PortName = PortName, TSpec = unknown, TParams = unknown, TData = unknown, TUndo extends object = Record<string, unknown>> {
  kind: string;
  title: string;
  /** one or two sentences for `gameday list` / docs */
  description: string;
  /** false for one-shot faults (pod kill, RDS failover): revert is a no-op */
  reversible: boolean;
  /** node-level faults need an explicit acknowledgement (scenario `acknowledgeNodeImpact` or the flag) */
  nodeImpact?: boolean;
  needs: readonly N[];
  /** checks and normalises `target:` (from YAML or --target k=v,...) */
  targetSchema: z.ZodType<TSpec>;
  /** checks and normalises `params:` */
  paramsSchema: z.ZodType<TParams>;

  /** Resolve concrete targets. No side effects. `random` is seeded and the seed is journaled. */
  select(ctx: InjectorContext<N>, spec: TSpec, params: TParams, random: () => number): Promise<Selection<TData>>;
  /** Read-only: everything needed to undo, journaled and fsynced before inject is called. */
  prepare(ctx: InjectorContext<N>, target: Target<TData>, params: TParams, ref: FaultRef): Promise<TUndo>;
  /** The mutation. Returns facts worth journaling (which pods, the new ARN…). */
  inject(ctx: InjectorContext<N>, target: Target<TData>, params: TParams, undo: TUndo, ref: FaultRef): Promise<Record<string, unknown> | void>;
  /** Idempotent. Reverting twice, or what was never injected, is a no-op; "not found" means reverted. */
  revert(ctx: InjectorContext<N>, undo: TUndo, ref: FaultRef): Promise<{ outcome: RevertOutcome; detail?: Record<string, unknown> }>;
  /** Is the fault in place (phase injected) / gone (phase reverted)? */
  verify(ctx: InjectorContext<N>, undo: TUndo, phase: 'injected' | 'reverted', ref: FaultRef): Promise<VerifyResult>;
  /** What revert will do, in one line, for the plan. */
  describeRevert(undo: TUndo | undefined, target: Target<TData>): string;
  /**
   * The Kubernetes API access select → inject → revert → verify → observe need for this target
   * spec (for `gameday rbac`); injectors without the kube port leave it out. Kept honest by a test
   * that runs drills as a ServiceAccount holding exactly these rules, against real RBAC.
   */
  kubeAccess?(spec: TSpec, params: TParams): KubeAccess[];
  /**
   * The AWS IAM grants select → inject → revert → verify → observe need for this target spec (for
   * `gameday iam`, the AWS side of `kubeAccess`): actions, the ARN patterns they act on, and whether
   * AWS can hold them to opted-in (tagged) resources. `spec` undefined: any target of this kind (the
   * policy for the whole catalog). Kept honest by a test that runs the injectors as an IAM user
   * holding exactly the rendered policy, against a local endpoint that enforces IAM.
   */
  awsAccess?(spec: TSpec | undefined, params: TParams | undefined): AwsAccess[];

  /**
   * How long one whole revert (and its verify) may take before it is given up and journaled as
   * failed; default DEFAULT_REVERT_DEADLINE_MS in src/runner/revert.ts. Set it when the revert
   * legitimately waits long (a re-created load balancer takes minutes to become active).
   */
  revertDeadlineMs?: number;

  /** Optional: watch what happens after inject (replacement pods Ready…), bounded; each report is journaled. */
  observe?(ctx: InjectorContext<N>, undo: TUndo, injected: Record<string, unknown> | void, report: (detail: Record<string, unknown>) => Promise<void>, ref: FaultRef): Promise<void>;
  /** Optional: called every `keepAliveEveryMs` while a process stays attached (the dead man's switch). */
  keepAlive?(ctx: InjectorContext<N>, undo: TUndo, ref: FaultRef): Promise<void>;
  keepAliveEveryMs?: number;
}

/** The registry's element type: the concrete generic parameters are erased at the boundary. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyInjector = Injector<PortName, any, any, any, any>;
