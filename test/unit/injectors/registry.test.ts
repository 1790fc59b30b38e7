import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AwsAccess } from '../../../src/core/aws-access.js';
import type { AnyInjector } from '../../../src/injectors/contract.js';
import { FAULT_KINDS, injectors, type FaultKind } from '../../../src/injectors/registry.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? testFiles(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

describe('injector registry', () => {
  it.each(FAULT_KINDS)('%s is registered under its own kind, with schemas and a revert description', (kind) => {
    const inj = injectors[kind];
    expect(inj.kind).toBe(kind);
    expect(inj.description.length).toBeGreaterThan(10);
    expect(inj.description).not.toMatch(/not implemented/i);
    expect(typeof inj.targetSchema.safeParse).toBe('function');
    expect(typeof inj.paramsSchema.safeParse).toBe('function');
  });

  it('every kind that talks to Kubernetes declares the access it needs (gameday rbac), and no other kind does', () => {
    for (const kind of FAULT_KINDS) {
      const inj = injectors[kind] as { needs: readonly string[]; kubeAccess?: unknown };
      expect({ kind, declares: typeof inj.kubeAccess === 'function' }).toEqual({ kind, declares: inj.needs.includes('kube') });
    }
  });

  it('every kind that talks to AWS declares its IAM grants (gameday iam), each service:Action, and no other kind does', () => {
    for (const kind of FAULT_KINDS) {
      const inj = injectors[kind] as { needs: readonly string[]; awsAccess?: (s: undefined, p: undefined) => AwsAccess[] };
      const aws = inj.needs.some((n) => n !== 'kube');
      const grants = inj.awsAccess?.(undefined, undefined) ?? [];
      expect({ kind, declares: grants.length > 0 }).toEqual({ kind, declares: aws });
      for (const g of grants) {
        for (const a of g.actions) expect(a).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
        // a read grant on "*" is what AWS allows for describes; anything that changes is narrowed by an ARN pattern
        if (g.scope === 'read') expect({ kind, actions: g.actions, mutating: g.actions.filter((a) => !/:(Describe|List)/.test(a)) }).toEqual({ kind, actions: g.actions, mutating: [] });
        else expect({ kind, resources: g.resources.filter((r) => !r.startsWith('arn:')) }).toEqual({ kind, resources: [] });
      }
    }
  });

  it('a scenario’s target narrows an AWS kind’s grants, never widens them: its actions are those of "any target"', () => {
    const examples: [FaultKind, Record<string, unknown>, Record<string, unknown>][] = [
      ['aws.ec2-stop', { id: 'i-0abc+i-0def' }, {}],
      ['aws.ec2-terminate', { asg: 'web' }, {}],
      ['aws.elbv2-delete', { arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-public/50dc6c495c0c9188' }, {}],
      ['aws.rds-failover', { instance: 'shop-db-1' }, {}],
      ['aws.route53-weight', { zone: 'Z0123ABC', name: 'API.shop.example.' }, { shiftTo: 'old' }],
      ['aws.mq-reboot', { broker: 'b-1234' }, {}],
    ];
    for (const [kind, target, params] of examples) {
      const inj = injectors[kind] as AnyInjector;
      const any = new Set((inj.awsAccess!(undefined, undefined) as AwsAccess[]).flatMap((g) => g.actions));
      const narrowed = inj.awsAccess!(inj.targetSchema.parse(target), inj.paramsSchema.parse(params)) as AwsAccess[];
      expect({ kind, extra: narrowed.flatMap((g) => g.actions).filter((a) => !any.has(a)) }).toEqual({ kind, extra: [] });
    }
    const arns = (kind: FaultKind, target: Record<string, unknown>) => (injectors[kind] as AnyInjector).awsAccess!((injectors[kind] as AnyInjector).targetSchema.parse(target), undefined).flatMap((g: AwsAccess) => (g.scope === 'read' ? [] : g.resources));
    expect(arns('aws.ec2-stop', { id: 'i-0abc+i-0def' })).toEqual(['arn:{partition}:ec2:{region}:{account}:instance/i-0abc', 'arn:{partition}:ec2:{region}:{account}:instance/i-0def']);
    expect(arns('aws.elbv2-delete', { arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-public/50dc6c495c0c9188' })).toContain('arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/*/shop-public/*');
    expect(arns('aws.rds-failover', { instance: 'shop-db-1' })).toEqual(['arn:{partition}:rds:{region}:{account}:db:shop-db-1']);
    expect(arns('aws.mq-reboot', { broker: 'b-1234' })).toEqual(['arn:{partition}:mq:{region}:{account}:broker:*:b-1234']);
    expect(arns('aws.mq-reboot', { broker: 'shop-mq' })).toEqual(['arn:{partition}:mq:{region}:{account}:broker:shop-mq:*']);
  });

  it('every registered kind runs through the shared contract suite somewhere in test/', () => {
    const sources = testFiles('test').map((f) => readFileSync(f, 'utf8'));
    const missing = FAULT_KINDS.filter((k) => !sources.some((s) => s.includes(`describeInjectorContract('${k}'`)));
    expect(missing).toEqual([]);
  });
});
