import { z } from 'zod';
import { runWindowSpec } from './run-window.js';
import { durationSchema, httpUrl, nonEmpty } from './schema-helpers.js';

/** The namespaces nothing may ever touch, whatever a config says. */
export const ALWAYS_PROTECTED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'gameday-system'] as const;
/** Where the toolkit's own workloads (the iptables agent) run. */
export const TOOLKIT_NAMESPACE = 'gameday-system';
export const DRILL_LABEL = 'gameday.dev/drill';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

export const guardSpec = z.strictObject({
  /** namespaces must carry this label (key=value) to be touched */
  optInLabel: z.string().regex(/^[^=\s]+=[^=\s]*$/, 'write key=value').default('gameday.dev/enabled=true'),
  /** AWS resources must carry this tag (key=value) to be touched */
  optInTag: z.string().regex(/^[^=\s]+=[^=\s]*$/, 'write key=value').default('gameday:enabled=true'),
  protectedNamespaces: z.array(nonEmpty).default([]),
  /** no fault may hit more targets than this */
  maxTargets: z.number().int().min(1).max(100_000).default(10),
  /** nor more than this share of the candidates it chose from */
  maxPercent: z.number().min(1).max(100).default(50),
  /** when faults may start (e.g. working hours, so people are there to notice); none = any time */
  windows: z.array(runWindowSpec).default([]),
});
export type Guards = z.infer<typeof guardSpec>;

export const environmentSpec = z.strictObject({
  description: z.string().optional(),
  /** critical environments are refused by every mutating command */
  critical: z.boolean(),
  kube: z.strictObject({ context: z.string().optional(), kubeconfig: z.string().optional() }).optional(),
  aws: z
    .strictObject({
      region: nonEmpty,
      profile: z.string().optional(),
      /** a local endpoint (the sandbox's moto server); never set for a real account */
      endpoint: httpUrl.optional(),
      /** Route 53 hosted zones to search for records that point at a deleted LB */
      hostedZones: z.array(nonEmpty).optional(),
    })
    .optional(),
  guards: guardSpec.default(guardSpec.parse({})),
  /**
   * Where host names of HTTP probes connect in this environment, like curl's --resolve: the same
   * scenario probes http://www.shop.example/ against a real staging site and, in the sandbox,
   * against its front door on 127.0.0.1 (the Host header stays the scenario's).
   */
  resolve: z
    .record(z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, 'a host name'), z.string().regex(/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/, 'write address:port, e.g. 127.0.0.1:8080'))
    .optional(),
  /**
   * Where this environment's drill journals, fault claims and halt flag live: `file` (the default,
   * the state directory of the machine that runs the drill) or `cluster` (ConfigMaps in
   * gameday-system of the environment's cluster, so every machine sees and can halt its drills;
   * needs `kube`).
   */
  journal: z.enum(['file', 'cluster']).optional(),
  /**
   * A Slack-compatible incoming webhook told of each drill's start, abort and verdict (with the
   * report's path). Best effort: a webhook that fails or hangs (bounded by `timeout`, default 5s)
   * never changes or blocks the drill.
   */
  notify: z.strictObject({ webhook: httpUrl, timeout: durationSchema.optional() }).optional(),
  /** deadline of a reversible fault when none is given */
  defaultDuration: durationSchema.default(durationSchema.parse('10m')),
  /** no reversible fault may live longer than this */
  maxDuration: durationSchema.default(durationSchema.parse('1h')),
});
export type Environment = z.infer<typeof environmentSpec> & { name: string };

export const configSpec = z.strictObject({
  /** where journals, locks and the halt flag live (default .gameday next to the config) */
  stateDir: z.string().optional(),
  environments: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'environment names are lower-case words joined by dashes'), environmentSpec).default({}),
});
export type Config = z.infer<typeof configSpec>;

export function splitKeyValue(kv: string): [string, string] {
  const i = kv.indexOf('=');
  return [kv.slice(0, i), kv.slice(i + 1)];
}
