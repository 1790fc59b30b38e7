/**
 * Route 53 grants shared by the kinds that change records (`aws.route53-weight`, and the ELB revert
 * that re-points records at a re-created load balancer). Route 53 has no tag-based conditions at
 * all: a record change is scoped by hosted zone ARN (which needs the zone's id, not its name) and by
 * the record-set conditions Route 53 does support (names, types, actions of the change batch).
 */
import { route53Arn, type AwsAccess } from '../../core/aws-access.js';

const ZONE_ID = /^(\/?hostedzone\/)?(Z[A-Z0-9]+)$/;

/** A zone given by id becomes its ARN; a zone given by name can only be "any zone" (the ARN needs the id). */
export function hostedZoneArns(zone: string | undefined): string[] {
  const id = zone === undefined ? undefined : ZONE_ID.exec(zone)?.[2];
  return [route53Arn(`hostedzone/${id ?? '*'}`)];
}

/** Route 53's normalised record name for its IAM conditions: lower case, no final dot, other characters as \\ooo octal. */
export function normalisedRecordName(name: string): string {
  const bare = name.toLowerCase().replace(/\.$/, '');
  return [...bare].map((c) => (/[a-z0-9\-_.]/.test(c) ? c : `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)).join('');
}

/** Listing zones accepts only "*". */
export const LIST_ZONES_ACCESS: AwsAccess = { actions: ['route53:ListHostedZones'], resources: ['*'], scope: 'read', why: 'find the hosted zone(s)' };
