/** Route53Port over the v3 SDK client. */
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, ListTagsForResourceCommand, paginateListHostedZones, type ResourceRecordSet, type Route53Client } from '@aws-sdk/client-route-53';
import type { HostedZoneRef, Route53Port } from '../../ports/aws.js';
import { allPages } from './pages.js';
import { defaultRetryPolicy, errorNamed, withRetry, type RetryPolicy } from './retry.js';

const bareId = (id: string) => id.replace(/^\/?hostedzone\//, '');

export function createRoute53Port(client: Route53Client, policy: RetryPolicy = defaultRetryPolicy()): Route53Port {
  const r = <T>(call: () => Promise<T>) => withRetry(policy, call);
  return {
    async listHostedZones() {
      const zones = await r(() => allPages(paginateListHostedZones({ client }, {}), (p) => p.HostedZones));
      return zones.flatMap((z): HostedZoneRef[] => (z.Id && z.Name ? [{ id: bareId(z.Id), name: z.Name.endsWith('.') ? z.Name : `${z.Name}.` }] : []));
    },
    async listRecordSets(zoneId) {
      // ListResourceRecordSets has no SDK paginator (its cursor is a name, type and identifier)
      const out: ResourceRecordSet[] = [];
      let next: { StartRecordName?: string; StartRecordType?: ResourceRecordSet['Type']; StartRecordIdentifier?: string } = {};
      try {
        for (;;) {
          const res = await r(() => client.send(new ListResourceRecordSetsCommand({ HostedZoneId: bareId(zoneId), ...next })));
          out.push(...(res.ResourceRecordSets ?? []));
          if (!res.IsTruncated) break;
          next = { StartRecordName: res.NextRecordName, StartRecordType: res.NextRecordType, StartRecordIdentifier: res.NextRecordIdentifier };
        }
      } catch (e) {
        if (errorNamed(e, 'NoSuchHostedZone')) return [];
        throw e;
      }
      return out;
    },
    async listZoneTags(zoneId) {
      try {
        const res = await r(() => client.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: bareId(zoneId) })));
        return res.ResourceTagSet?.Tags ?? [];
      } catch (e) {
        if (errorNamed(e, 'NoSuchHostedZone', 'InvalidInput')) return [];
        throw e;
      }
    },
    async upsertRecordSets(zoneId, records, comment) {
      if (!records.length) return '';
      const res = await r(() =>
        client.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: bareId(zoneId),
            ChangeBatch: { Comment: comment, Changes: records.map((rr) => ({ Action: 'UPSERT', ResourceRecordSet: rr })) },
          }),
        ),
      );
      return res.ChangeInfo?.Id ?? '';
    },
  };
}
