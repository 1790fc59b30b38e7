/**
 * The one typed registry of fault kinds. Everything that varies by kind goes through here:
 * no parallel `switch` over kinds anywhere else. Injector modules are light (type-only client
 * imports), so loading this file stays cheap for `validate`, `list` and `show`.
 */
import type { AnyInjector } from './contract.js';
import { k8sPodKill } from './k8s-pod-kill/index.js';
import { nodeIptables } from './node-iptables/index.js';
import { awsElbv2Delete } from './aws-elbv2-delete/index.js';
import { awsRdsFailover } from './aws-rds-failover/index.js';
import { awsEc2Stop } from './aws-ec2-stop/index.js';
import { awsEc2Terminate } from './aws-ec2-terminate/index.js';
import { k8sScale } from './k8s-scale/index.js';
import { k8sServiceSelector } from './k8s-service-selector/index.js';
import { k8sNodeDrain } from './k8s-node-drain/index.js';
import { awsRoute53Weight } from './aws-route53-weight/index.js';
import { awsMqReboot } from './aws-mq-reboot/index.js';
import { testMarker } from './test-marker/index.js';

export const FAULT_KINDS = [
  'k8s.pod-kill',
  'k8s.scale',
  'k8s.service-selector',
  'k8s.node-drain',
  'node.iptables',
  'aws.elbv2-delete',
  'aws.rds-failover',
  'aws.ec2-stop',
  'aws.ec2-terminate',
  'aws.route53-weight',
  'aws.mq-reboot',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const injectors = {
  'k8s.pod-kill': k8sPodKill,
  'k8s.scale': k8sScale,
  'k8s.service-selector': k8sServiceSelector,
  'k8s.node-drain': k8sNodeDrain,
  'node.iptables': nodeIptables,
  'aws.elbv2-delete': awsElbv2Delete,
  'aws.rds-failover': awsRdsFailover,
  'aws.ec2-stop': awsEc2Stop,
  'aws.ec2-terminate': awsEc2Terminate,
  'aws.route53-weight': awsRoute53Weight,
  'aws.mq-reboot': awsMqReboot,
} satisfies Record<FaultKind, AnyInjector>;

/** Injectors that exist only for tests of the machinery (GAMEDAY_ENABLE_TEST_INJECTORS=1). */
const testInjectors: Record<string, AnyInjector> = { 'test.marker': testMarker };
const testInjectorsEnabled = (): boolean => process.env.GAMEDAY_ENABLE_TEST_INJECTORS === '1';

export type Catalog = Readonly<Record<string, AnyInjector>>;

/** Every kind usable in this process. */
export function catalog(): Catalog {
  return testInjectorsEnabled() ? { ...injectors, ...testInjectors } : injectors;
}

/** The injector of a kind, or undefined: a kind such as `__proto__` or `toString` is just unknown. */
export function findInjector(kind: string): AnyInjector | undefined {
  const c = catalog();
  return Object.prototype.hasOwnProperty.call(c, kind) ? c[kind] : undefined;
}
