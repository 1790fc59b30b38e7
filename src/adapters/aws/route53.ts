/** Route53Port over the v3 SDK client. */
import { ChangeResourceRecordSetsCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand, ListTagsForResourceCommand, type ResourceRecordSet, type Route53Client } from '@aws-sdk/client-route-53';
import type { HostedZoneRef, Route53Port } from '../../ports/aws.js';
import { defaultRetryPolicy, errorNamed, withRetry, type RetryPolicy } from './retry.js';

const bareId = (id: string) => id.replace(/^\/?hostedzone\//, '');

export function createRoute53Port(client: Route53Client, policy: RetryPolicy = defaultRetryPolicy()): Route53Port {
  const r = <T>(call: () => Promise<T>) => withRetry(policy, call);
  return {
    async listHostedZones() {
      const out: HostedZoneRef[] = [];
      let Marker: string | undefined;
      do {
        const res = await r(() => client.send(new ListHostedZonesCommand({ Marker })));
        for (const z of res.HostedZones ?? []) if (z.Id && z.Name) out.push({ id: bareId(z.Id), name: z.Name.endsWith('.') ? z.Name : `${z.Name}.` });
        Marker = res.IsTruncated ? res.NextMarker : undefined;
      } while (Marker);
      return out;
    },
    async listRecordSets(zoneId) {
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
