/** The one typed registry of probe types: no switch over probe types anywhere else. */
import type { ProbeSpec, ProbeType } from '../core/probe-spec.js';
import type { ProbePortName } from '../ports/probes.js';
import type { ProbeImpl, ProbeOf } from './contract.js';
import { cloudwatchAlarmProbe } from './cloudwatch-alarm.js';
import { httpProbe } from './http.js';
import { k8sProbe } from './k8s.js';
import { rdsProbe } from './rds.js';
import { tcpProbe } from './tcp.js';

export const probes = {
  http: httpProbe,
  tcp: tcpProbe,
  k8s: k8sProbe,
  rds: rdsProbe,
  'cloudwatch-alarm': cloudwatchAlarmProbe,
} satisfies { [T in ProbeType]: ProbeOf<T> };

export const probeFor = (spec: ProbeSpec): ProbeImpl => probes[spec.type] as unknown as ProbeImpl;

export function probePortsNeeded(specs: readonly ProbeSpec[]): ProbePortName[] {
  return [...new Set(specs.flatMap((s) => probeFor(s).needs))];
}

export const describeProbe = (spec: ProbeSpec): string => probeFor(spec).describe(spec);
