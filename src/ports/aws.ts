/**
 * What the AWS injectors may do. Implemented by src/adapters/aws/ with the v3 SDK clients, built by
 * one factory (credential chain, region, optional local endpoint), loaded lazily. Shapes are the
 * SDK's own (type-only imports: nothing here loads the SDK). Every port method:
 *   - pages through results itself,
 *   - turns "not found" into an empty answer (or `false` for deletes) instead of throwing,
 *   - retries throttling with a bounded backoff.
 * Property names are port names: an injector lists the ones it uses in `needs`.
 */
import type {
  Action,
  Certificate,
  Listener,
  LoadBalancer,
  LoadBalancerAttribute,
  Rule,
  RuleCondition,
  Tag as ElbTag,
  TargetGroup,
  TargetHealthDescription,
  CreateLoadBalancerCommandInput,
  CreateListenerCommandInput,
  CreateRuleCommandInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import type { Instance } from '@aws-sdk/client-ec2';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { AutoScalingGroup, AutoScalingInstanceDetails } from '@aws-sdk/client-auto-scaling';
import type { BrokerSummary, DescribeBrokerResponse } from '@aws-sdk/client-mq';

export type { Action, Certificate, Listener, LoadBalancer, LoadBalancerAttribute, Rule, RuleCondition, ElbTag, TargetGroup, TargetHealthDescription };
export type { DBCluster, DBInstance, Instance, ResourceRecordSet, AutoScalingGroup, AutoScalingInstanceDetails, BrokerSummary, DescribeBrokerResponse };

export interface Elbv2Port {
  /** by ARN or name; unknown ones are simply missing from the answer; no query = all LBs */
  describeLoadBalancers(query?: { arns?: string[]; names?: string[] }): Promise<LoadBalancer[]>;
  /** tags per resource ARN (LBs, target groups, listeners, rules) */
  describeTags(arns: string[]): Promise<Record<string, ElbTag[]>>;
  describeLoadBalancerAttributes(lbArn: string): Promise<LoadBalancerAttribute[]>;
  modifyLoadBalancerAttributes(lbArn: string, attributes: LoadBalancerAttribute[]): Promise<void>;
  describeListeners(lbArn: string): Promise<Listener[]>;
  /** the listener's certificates, default one included (IsDefault) */
  describeListenerCertificates(listenerArn: string): Promise<Certificate[]>;
  describeRules(listenerArn: string): Promise<Rule[]>;
  /** by ARN; missing ones are left out */
  describeTargetGroups(arns: string[]): Promise<TargetGroup[]>;
  describeTargetHealth(targetGroupArn: string): Promise<TargetHealthDescription[]>;
  createLoadBalancer(input: CreateLoadBalancerCommandInput): Promise<LoadBalancer>;
  createListener(input: CreateListenerCommandInput): Promise<Listener>;
  addListenerCertificates(listenerArn: string, certificates: Certificate[]): Promise<void>;
  createRule(input: CreateRuleCommandInput): Promise<Rule>;
  /** false when it was already gone */
  deleteLoadBalancer(lbArn: string): Promise<boolean>;
}

export interface HostedZoneRef {
  /** without the /hostedzone/ prefix */
  id: string;
  /** with the trailing dot */
  name: string;
}
export interface Route53Port {
  listHostedZones(): Promise<HostedZoneRef[]>;
  listRecordSets(zoneId: string): Promise<ResourceRecordSet[]>;
  /** the hosted zone's tags ({} when it has none or is gone) */
  listZoneTags(zoneId: string): Promise<{ Key?: string; Value?: string }[]>;
  /** UPSERTs, in one change batch; returns the change id */
  upsertRecordSets(zoneId: string, records: ResourceRecordSet[], comment: string): Promise<string>;
}

export interface RdsPort {
  /** [] when it does not exist */
  describeDbClusters(id: string): Promise<DBCluster[]>;
  describeDbInstances(id: string): Promise<DBInstance[]>;
  failoverDbCluster(id: string, targetInstance?: string): Promise<void>;
  rebootDbInstance(id: string, forceFailover: boolean): Promise<void>;
}

export interface Ec2Port {
  /** by id, or by filters (`tag:Name`, `instance-state-name`…); unknown ids are left out */
  describeInstances(query: { ids?: string[]; filters?: { name: string; values: string[] }[] }): Promise<Instance[]>;
  stopInstances(ids: string[]): Promise<void>;
  startInstances(ids: string[]): Promise<void>;
  terminateInstances(ids: string[]): Promise<void>;
}

export interface AutoScalingPort {
  /** only the instances that belong to a group are in the answer */
  describeAutoScalingInstances(ids: string[]): Promise<AutoScalingInstanceDetails[]>;
  describeAutoScalingGroups(names: string[]): Promise<AutoScalingGroup[]>;
}

export interface MqPort {
  listBrokers(): Promise<BrokerSummary[]>;
  /** undefined when there is no such broker */
  describeBroker(brokerId: string): Promise<DescribeBrokerResponse | undefined>;
  rebootBroker(brokerId: string): Promise<void>;
}

export interface AwsPorts {
  elbv2: Elbv2Port;
  route53: Route53Port;
  rds: RdsPort;
  ec2: Ec2Port;
  autoscaling: AutoScalingPort;
  mq: MqPort;
}
