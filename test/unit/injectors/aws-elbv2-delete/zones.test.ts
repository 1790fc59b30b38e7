import { describe, expect, it } from 'vitest';
import { recordKey, sameRecordTarget, zoneSelected } from '../../../../src/injectors/aws-elbv2-delete/snapshot.js';

describe('Route 53 helpers', () => {
  it.each([
    [undefined, true],
    [[], true],
    [['shop.example.'], true],
    [['shop.example'], true],
    [['SHOP.example.'], true],
    [['Z123'], true],
    [['/hostedzone/Z123'], true],
    [['other.example.'], false],
    [['Z999'], false],
  ] as [string[] | undefined, boolean][])('environment hostedZones %o selects zone Z123 shop.example.: %s', (wanted, want) => {
    expect(zoneSelected({ id: 'Z123', name: 'shop.example.' }, wanted)).toBe(want);
  });

  it('keys records by name, type and routing identifier; compares targets without case, dots or dualstack', () => {
    expect(recordKey({ Name: 'WWW.shop.example.', Type: 'A', SetIdentifier: 'blue' })).toBe('www.shop.example|A|blue');
    expect(sameRecordTarget({ Name: 'w.', Type: 'A', AliasTarget: { DNSName: 'dualstack.LB-1.elb.amazonaws.com.', HostedZoneId: 'Z', EvaluateTargetHealth: true } }, { Name: 'w.', Type: 'A', AliasTarget: { DNSName: 'lb-1.elb.amazonaws.com', HostedZoneId: 'Z', EvaluateTargetHealth: true } })).toBe(true);
    expect(sameRecordTarget({ Name: 'w.', Type: 'A', AliasTarget: { DNSName: 'lb-1.elb.amazonaws.com', HostedZoneId: 'Z', EvaluateTargetHealth: true } }, { Name: 'w.', Type: 'A', AliasTarget: { DNSName: 'lb-1.elb.amazonaws.com', HostedZoneId: 'Y', EvaluateTargetHealth: true } })).toBe(false);
    expect(sameRecordTarget({ Name: 'c.', Type: 'CNAME', ResourceRecords: [{ Value: 'lb-2.elb.amazonaws.com.' }] }, { Name: 'c.', Type: 'CNAME', ResourceRecords: [{ Value: 'LB-2.elb.amazonaws.com' }] })).toBe(true);
  });
});
