import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, injectors } from '../../../src/injectors/registry.js';

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

  it('every kind that talks to AWS declares the IAM actions it calls, each service:Action, and no other kind does', () => {
    for (const kind of FAULT_KINDS) {
      const inj = injectors[kind] as { needs: readonly string[]; awsActions?: readonly string[] };
      const aws = inj.needs.some((n) => n !== 'kube');
      expect({ kind, declares: Array.isArray(inj.awsActions) && inj.awsActions.length > 0 }).toEqual({ kind, declares: aws });
      for (const a of inj.awsActions ?? []) expect(a).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
    }
  });

  it('every registered kind runs through the shared contract suite somewhere in test/', () => {
    const sources = testFiles('test').map((f) => readFileSync(f, 'utf8'));
    const missing = FAULT_KINDS.filter((k) => !sources.some((s) => s.includes(`describeInjectorContract('${k}'`)));
    expect(missing).toEqual([]);
  });
});
