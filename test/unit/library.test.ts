/**
 * The shipped scenario library: every outage of the seed's Failure Wednesdays, each valid, each
 * with a briefing, probes that can see its symptom, three graded hints, objectives and a runbook
 * section that exists and says how to diagnose, fix, verify and prevent it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkFiles, scenarioFiles } from '../../src/drill/scenario-store.js';
import { formatProblem } from '../../src/core/problem.js';
import { runbookSection } from '../../src/drill/runbook.js';

const checks = await checkFiles(scenarioFiles(['scenarios'], process.cwd()), process.cwd());
const scenarios = checks.flatMap((c) => (c.scenario ? [c.scenario] : []));

describe('scenario library', () => {
  it('holds at least 16 drills covering every fault kind of the seed, and three tabletops', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(16);
    const kinds = new Set(scenarios.flatMap((s) => s.faults.map((f) => f.kind)));
    expect([...kinds].sort()).toEqual(['aws.ec2-stop', 'aws.elbv2-delete', 'aws.mq-reboot', 'aws.rds-failover', 'aws.route53-weight', 'k8s.node-drain', 'k8s.pod-kill', 'k8s.scale', 'k8s.service-selector', 'node.iptables']);
    expect(scenarios.filter((s) => s.faults.length === 0).map((s) => s.id).sort()).toEqual(['cluster-rebuild-tabletop', 'cluster-upgrade-tabletop', 'restore-from-backup-tabletop']);
    // pods killed: some and all replicas
    const kills = scenarios.flatMap((s) => s.faults.filter((f) => f.kind === 'k8s.pod-kill').map((f) => f.params));
    expect(kills.some((p) => p.mode === 'all')).toBe(true);
    expect(kills.some((p) => typeof p.percent === 'number' || (typeof p.count === 'number' && p.count > 1))).toBe(true);
    // a two-fault drill whose second fault starts a few minutes in
    expect(scenarios.some((s) => s.faults.length >= 2 && s.faults.some((f) => (f.at ?? 0) >= 60_000))).toBe(true);
  });

  it.each(checks.map((c) => [c.file, c] as const))('%s is valid, with probes, three hints, objectives and a runbook', (_file, c) => {
    expect(c.problems.map(formatProblem)).toEqual([]);
    const s = c.scenario!;
    expect(s.runbook).toMatch(/^runbooks\/.+\.md#.+/);
    expect(s.briefing.length).toBeGreaterThan(20);
    expect(s.hints.length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(s.objectives).length).toBeGreaterThan(0);
    if (s.faults.length) expect(s.steadyState.length).toBeGreaterThan(0);
  });

  it.each(scenarios.filter((s) => s.faults.length).map((s) => [s.id, s.runbook!] as const))('%s: its runbook section has the commands to diagnose the symptom', (_id, ref) => {
    const [path, anchor] = ref.split('#') as [string, string];
    const section = runbookSection(readFileSync(path, 'utf8'), anchor).join('\n');
    expect(section.split('\n')[0]).toMatch(/^##? /);
    // a command a player can type: kubectl, aws, iptables-save (from gameday sandbox shell), dig…
    expect(section).toMatch(/\b(kubectl|aws|iptables-save|dig|nslookup|getent|curl)\b/);
  });
});
