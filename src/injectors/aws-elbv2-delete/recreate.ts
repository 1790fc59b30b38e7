/**
 * Revert of `aws.elbv2-delete`, from the journaled snapshot alone (possibly in a fresh process after
 * a crash). Idempotent and resumable: every step first looks at what already exists.
 *   1. the original LB still exists → it was never deleted: nothing to do
 *   2. an LB with the same name exists: ours (tagged gameday:recreated-from=<old arn>) → finish
 *      whatever is missing; someone else's (a controller reconciled) → leave it alone
 *   3. otherwise create it (tagged), wait until active, then attributes, listeners, certificates,
 *      rules (against the surviving target groups), Route 53 records, and check target health.
 */
import type { InjectorContext, RevertOutcome } from '../contract.js';
import { GamedayError } from '../../core/errors.js';
import type { LoadBalancer, ResourceRecordSet } from '../../ports/aws.js';
import { DRILL_TAG, RECREATED_FROM_TAG, tagValue } from '../aws-shared/common.js';
import { pollUntil } from '../../core/clock.js';
import {
  additionalCertificates,
  createListenerInput,
  createLoadBalancerInput,
  createRuleInput,
  recordKey,
  recreatedTags,
  referencedTargetGroups,
  repointRecord,
  sameRecordTarget,
  type LbSnapshot,
} from './snapshot.js';

/** ELB create → usable takes minutes; the SDK's own waiter allows 10. */
export const ACTIVE_TIMEOUT_MS = 10 * 60_000;

export interface RecreateDetail {
  oldArn: string;
  oldDnsName: string;
  newArn?: string;
  newDnsName?: string;
  note?: string;
  created?: boolean;
  listenersCreated?: number;
  rulesCreated?: number;
  certificatesAdded?: number;
  recordsRepointed?: string[];
  targetHealth?: Record<string, Record<string, number>>;
  activeAfterMs?: number;
  elapsedMs?: number;
}

type Ctx = InjectorContext<'elbv2' | 'route53'>;

/** ELBv2 error names come with or without the `Exception` suffix depending on the protocol layer. */
const named = (e: unknown, base: string): boolean => {
  const n = (e as { name?: string; Code?: string } | undefined)?.name ?? (e as { Code?: string } | undefined)?.Code;
  return n === base || n === `${base}Exception`;
};

export async function recreate(ctx: Ctx, s: LbSnapshot, drillId: string): Promise<{ outcome: RevertOutcome; detail: RecreateDetail }> {
  const { elbv2 } = ctx.ports;
  const started = ctx.now();
  const detail: RecreateDetail = { oldArn: s.arn, oldDnsName: s.dnsName };

  if ((await elbv2.describeLoadBalancers({ arns: [s.arn] })).length) return { outcome: 'nothing-to-revert', detail: { ...detail, note: `${s.name} was never deleted` } };

  let lb: LoadBalancer | undefined = (await elbv2.describeLoadBalancers({ names: [s.name] }))[0];
  let changed = false;
  if (lb) {
    const tags = (await elbv2.describeTags([lb.LoadBalancerArn!]))[lb.LoadBalancerArn!];
    if (tagValue(tags, RECREATED_FROM_TAG) !== s.arn) {
      return {
        outcome: 'already-reverted',
        detail: { ...detail, newArn: lb.LoadBalancerArn, newDnsName: lb.DNSName, note: `a load balancer named ${s.name} exists that gameday did not re-create (a controller may have reconciled it); left as is` },
      };
    }
  } else {
    // every target group the listeners and rules forward to must still be there
    const wanted = referencedTargetGroups(s);
    const alive = new Set((await elbv2.describeTargetGroups(wanted)).map((t) => t.TargetGroupArn));
    const gone = wanted.filter((a) => !alive.has(a));
    if (gone.length)
      throw new GamedayError('REVERT_FAILED', `cannot re-create ${s.name}: target group(s) gone: ${gone.join(', ')}`, {
        hint: 're-create those target groups (same ARNs are impossible: edit the journaled snapshot or re-create the LB by hand)',
      });
    ctx.progress(`re-creating load balancer ${s.name} (${s.type}, ${s.subnets.length} subnets)`);
    try {
      lb = await elbv2.createLoadBalancer(createLoadBalancerInput(s, recreatedTags(s, drillId, [DRILL_TAG, RECREATED_FROM_TAG])));
      detail.created = true;
      changed = true;
    } catch (e) {
      // another revert (the deadline keeper, a second halt) created it a moment ago: carry on with that one if it is ours
      if (!named(e, 'DuplicateLoadBalancerName')) throw e;
      lb = (await elbv2.describeLoadBalancers({ names: [s.name] }))[0];
      const tags = lb ? (await elbv2.describeTags([lb.LoadBalancerArn!]))[lb.LoadBalancerArn!] : undefined;
      if (!lb || tagValue(tags, RECREATED_FROM_TAG) !== s.arn) throw e;
    }
  }
  const arn = lb.LoadBalancerArn!;
  detail.newArn = arn;
  detail.newDnsName = lb.DNSName;
  ctx.progress(`${s.name} re-created: new ARN ${arn}, new DNS name ${lb.DNSName} (was ${s.dnsName})`);

  const active = await pollUntil(ctx, { what: `${s.name} to be active`, timeoutMs: ACTIVE_TIMEOUT_MS, initialDelayMs: 2_000, maxDelayMs: 15_000 }, async () => {
    const [now] = await elbv2.describeLoadBalancers({ arns: [arn] });
    const code = now?.State?.Code ?? 'missing';
    if (code === 'failed') throw new GamedayError('REVERT_FAILED', `re-created ${s.name} failed to provision: ${now?.State?.Reason ?? 'no reason given'}`, { hint: 'check subnets and security groups still exist' });
    return { done: code === 'active' || code === 'active_impaired', value: now, status: code };
  });
  if (!active.done) throw new GamedayError('REVERT_FAILED', `${s.name} is not active after ${Math.round(active.elapsedMs / 1000)} s`, { hint: 'run `gameday recover` again later: the revert resumes where it stopped' });
  detail.activeAfterMs = active.elapsedMs;
  if (active.value?.DNSName) detail.newDnsName = active.value.DNSName;
  const newDns = detail.newDnsName ?? '';
  const newZone = active.value?.CanonicalHostedZoneId ?? lb.CanonicalHostedZoneId;

  // attributes: only those that differ
  const current = new Map((await elbv2.describeLoadBalancerAttributes(arn)).map((a) => [a.Key, a.Value]));
  const diff = s.attributes.filter((a) => current.get(a.Key) !== a.Value);
  if (diff.length) {
    await elbv2.modifyLoadBalancerAttributes(arn, diff);
    changed = true;
  }

  // listeners, their certificates and rules
  let listenersCreated = 0;
  let rulesCreated = 0;
  let certificatesAdded = 0;
  const live = await elbv2.describeListeners(arn);
  for (const l of s.listeners) {
    let listener = live.find((x) => x.Port === l.port && x.Protocol === l.protocol);
    if (!listener) {
      ctx.progress(`creating listener ${l.protocol}:${l.port} on ${s.name}`);
      try {
        listener = await elbv2.createListener(createListenerInput(l, arn));
        listenersCreated++;
      } catch (e) {
        if (!named(e, 'DuplicateListener')) throw e;
        listener = (await elbv2.describeListeners(arn)).find((x) => x.Port === l.port && x.Protocol === l.protocol);
        if (!listener) throw e;
      }
    }
    const lArn = listener.ListenerArn!;
    const extra = additionalCertificates(l);
    if (extra.length) {
      const have = new Set((await elbv2.describeListenerCertificates(lArn)).map((c) => c.CertificateArn));
      const missing = extra.filter((c) => !have.has(c.CertificateArn));
      if (missing.length) {
        await elbv2.addListenerCertificates(lArn, missing);
        certificatesAdded += missing.length;
      }
    }
    const rules = l.rules.length ? await elbv2.describeRules(lArn) : [];
    for (const r of l.rules) {
      if (rules.some((x) => Number(x.Priority) === r.priority)) continue;
      try {
        await elbv2.createRule(createRuleInput(r, lArn));
        rulesCreated++;
      } catch (e) {
        if (!named(e, 'PriorityInUse')) throw e; // a concurrent revert made it
      }
    }
  }
  if (listenersCreated + rulesCreated + certificatesAdded) changed = true;
  Object.assign(detail, { listenersCreated, rulesCreated, certificatesAdded });

  detail.recordsRepointed = await repointRecords(ctx, s, newDns, newZone);
  if (detail.recordsRepointed.length) changed = true;

  // evidence: target health of every group the LB forwards to
  detail.targetHealth = {};
  for (const tg of referencedTargetGroups(s)) {
    const counts: Record<string, number> = {};
    for (const h of await elbv2.describeTargetHealth(tg)) {
      const state = h.TargetHealth?.State ?? 'unknown';
      counts[state] = (counts[state] ?? 0) + 1;
    }
    detail.targetHealth[tg.split(':').pop()?.split('/')[1] ?? tg] = counts;
  }
  detail.elapsedMs = ctx.now() - started;
  return { outcome: changed ? 'reverted' : 'already-reverted', detail };
}

async function repointRecords(ctx: Ctx, s: LbSnapshot, newDns: string, newZone: string | undefined): Promise<string[]> {
  const { route53 } = ctx.ports;
  const done: string[] = [];
  const byZone = new Map<string, ResourceRecordSet[]>();
  for (const r of s.records) byZone.set(r.zoneId, [...(byZone.get(r.zoneId) ?? []), r.record]);
  for (const [zoneId, records] of byZone) {
    const current = new Map((await route53.listRecordSets(zoneId)).map((r) => [recordKey(r), r]));
    const changes = records.map((r) => repointRecord(r, newDns, newZone)).filter((want) => {
      const now = current.get(recordKey(want));
      return !now || !sameRecordTarget(now, want);
    });
    if (!changes.length) continue;
    ctx.progress(`re-pointing ${changes.map((c) => c.Name).join(', ')} to ${newDns}`);
    await route53.upsertRecordSets(zoneId, changes, `gameday: ${s.name} re-created, was ${s.dnsName}`);
    done.push(...changes.map((c) => `${c.Name} ${c.Type}`));
  }
  return done;
}
