import { z } from 'zod';
import { durationSchema, httpUrl, nonEmpty } from './schema-helpers.js';

/**
 * Steady-state probes as written in a scenario. The implementations live in src/probes/;
 * the shape lives here so `validate` can check it without loading any client.
 */
const common = {
  name: nonEmpty,
  /** how often to check (default 5s) */
  interval: durationSchema.optional(),
  /** how long one check may take (default 5s) */
  timeout: durationSchema.optional(),
};

export const httpProbeSpec = z.strictObject({
  ...common,
  type: z.literal('http'),
  url: httpUrl,
  expectStatus: z.number().int().min(100).max(599).optional(),
  bodyContains: z.string().optional(),
  maxLatency: durationSchema.optional(),
});

export const tcpProbeSpec = z.strictObject({
  ...common,
  type: z.literal('tcp'),
  host: nonEmpty,
  port: z.number().int().min(1).max(65535),
});

export const k8sProbeSpec = z.strictObject({
  ...common,
  type: z.literal('k8s'),
  namespace: nonEmpty,
  /** kind/name, e.g. deployment/checkout */
  resource: z.string().regex(/^(deployment|statefulset|daemonset)\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/i, 'write kind/name, e.g. deployment/checkout (kinds: deployment, statefulset, daemonset)'),
  /** ready replicas needed; default: all desired replicas */
  minReady: z.number().int().min(0).optional(),
});

export const rdsProbeSpec = z.strictObject({
  ...common,
  type: z.literal('rds'),
  cluster: nonEmpty,
  /** when set, the probe also fails unless this instance is the writer */
  expectWriter: z.string().optional(),
});

export const cloudwatchAlarmProbeSpec = z.strictObject({
  ...common,
  type: z.literal('cloudwatch-alarm'),
  alarm: nonEmpty,
});

export const probeSpec = z.discriminatedUnion('type', [httpProbeSpec, tcpProbeSpec, k8sProbeSpec, rdsProbeSpec, cloudwatchAlarmProbeSpec]);
export type ProbeSpec = z.infer<typeof probeSpec>;
export type ProbeType = ProbeSpec['type'];
export const PROBE_TYPES = ['http', 'tcp', 'k8s', 'rds', 'cloudwatch-alarm'] as const satisfies readonly ProbeType[];
