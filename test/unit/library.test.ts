/** The shipped scenario library validates, with every runbook and heading it links present. */
import { describe, expect, it } from 'vitest';
import { checkFiles, scenarioFiles } from '../../src/drill/scenario-store.js';
import { formatProblem } from '../../src/core/yaml-source.js';

describe('scenario library', () => {
  const checks = checkFiles(scenarioFiles(['scenarios'], process.cwd()), process.cwd());

  it('holds the drills of the seed: pods, iptables, load balancer, database, nodes, and a tabletop', () => {
    const kinds = new Set(checks.flatMap((c) => c.scenario?.faults.map((f) => f.kind) ?? []));
    expect([...kinds].sort()).toEqual(['aws.ec2-stop', 'aws.elbv2-delete', 'aws.rds-failover', 'k8s.pod-kill', 'node.iptables']);
    expect(checks.some((c) => c.scenario && c.scenario.faults.length === 0)).toBe(true);
  });

  it.each(checks.map((c) => [c.file, c] as const))('%s is valid and links a runbook', (_file, c) => {
    expect(c.problems.map(formatProblem)).toEqual([]);
    expect(c.scenario?.runbook).toMatch(/^runbooks\/.+\.md#.+/);
    expect(c.scenario?.briefing.length).toBeGreaterThan(20);
  });
});
