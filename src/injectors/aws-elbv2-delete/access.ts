/**
 * The IAM grants of `aws.elbv2-delete`. Delete acts on the opted-in load balancer. The revert
 * re-creates it under the same name (a new ARN), with its tags — the opt-in tag included, so the
 * re-created LB is held to the same tag condition afterwards — and its listeners and rules:
 * - CreateLoadBalancer only for that name and only when the request carries the toolkit's mark
 *   (`gameday:recreated-from`), and AddTags only as the tagging half of that create (ELBv2
 *   authorizes the tags of a create as AddTags, `elasticloadbalancing:CreateAction`);
 * - ModifyLoadBalancerAttributes and CreateListener act on the re-created LB: it carries the opt-in
 *   tag from its creation on, so they stay tag-conditioned;
 * - CreateRule and AddListenerCertificates act on the new listeners, which carry no tags of their
 *   own: scoped by the listener ARN pattern of that load balancer's name instead;
 * - the records that pointed at the old DNS name are re-pointed: Route 53, by zone (no tags there).
 */
import { awsArn, type AwsAccess } from '../../core/aws-access.js';
import { RECREATED_FROM_TAG } from '../aws-shared/common.js';
import { hostedZoneArns, LIST_ZONES_ACCESS } from '../aws-shared/route53-access.js';

/** The LB's name from its ARN (…:loadbalancer/app/NAME/id). */
const nameInArn = (arn: string): string | undefined => /:loadbalancer\/[a-z]+\/([^/]+)\//.exec(arn)?.[1];

export function elbAccess(spec: { name?: string | undefined; arn?: string | undefined } | undefined): AwsAccess[] {
  const name = spec?.name ?? (spec?.arn ? nameInArn(spec.arn) : undefined) ?? '*';
  const lb = awsArn('elasticloadbalancing', `loadbalancer/*/${name}/*`);
  const listeners = [awsArn('elasticloadbalancing', `listener/*/${name}/*`), awsArn('elasticloadbalancing', `listener-rule/*/${name}/*`)];
  const zones = hostedZoneArns(undefined);
  return [
    {
      actions: ['DescribeLoadBalancers', 'DescribeTags', 'DescribeLoadBalancerAttributes', 'DescribeListeners', 'DescribeListenerCertificates', 'DescribeRules', 'DescribeTargetGroups', 'DescribeTargetHealth'].map((a) => `elasticloadbalancing:${a}`),
      resources: ['*'],
      scope: 'read',
      why: 'select the LB; snapshot it (attributes, tags, listeners, certificates, rules) before the delete; verify; target health as evidence',
    },
    { actions: ['elasticloadbalancing:DeleteLoadBalancer'], resources: [lb], scope: 'opted-in', why: 'inject deletes the load balancer' },
    { actions: ['elasticloadbalancing:ModifyLoadBalancerAttributes', 'elasticloadbalancing:CreateListener'], resources: [lb], scope: 'opted-in', why: 'revert restores attributes and listeners on the re-created LB (it carries the opt-in tag from its creation)' },
    { actions: ['elasticloadbalancing:CreateRule', 'elasticloadbalancing:AddListenerCertificates'], resources: listeners, scope: 'by-arn', why: 'revert restores rules and extra certificates on the new listeners (listeners carry no tags of their own)' },
    { actions: ['elasticloadbalancing:CreateLoadBalancer'], resources: [lb], scope: 'create', conditions: { Null: { [`aws:RequestTag/${RECREATED_FROM_TAG}`]: ['false'] } }, why: `revert re-creates the load balancer under its name, marked ${RECREATED_FROM_TAG}` },
    { actions: ['elasticloadbalancing:AddTags'], resources: [lb], scope: 'create', conditions: { StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateLoadBalancer'] } }, why: 'the tags of the re-created LB, authorized as AddTags (tag on create), never on an existing LB' },
    LIST_ZONES_ACCESS,
    { actions: ['route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets'], resources: zones, scope: 'by-arn', why: 'snapshot the records that point at the LB; revert re-points them at its new DNS name (Route 53 has no tag conditions: narrow to your zones’ ids, see aws.hostedZones)' },
  ];
}
