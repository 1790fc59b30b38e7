import { describe, expect, it } from 'vitest';
import { agentConfigMap, agentDaemonSet, DEFAULT_AGENT_IMAGE, LEASE_KEY, labelValue, selectorFor, type AgentObjects } from '../../../../src/injectors/node-iptables/manifest.js';
import { nodeIptables } from '../../../../src/injectors/node-iptables/index.js';
import { parseParams } from '../../../../src/cli/kv.js';

const o: AgentObjects = {
  namespace: 'gameday-system',
  name: 'gameday-iptables-0123abcd',
  drillId: '20261125-110000-dns-ab12',
  faultId: 'f1-nodes',
  nodes: ['n1', 'n2'],
  chain: 'GD-0123abcd',
  rulesFile: 'OUTPUT -p udp --dport 53 -m comment --comment gameday:x -j DROP\n',
  agentScript: '#!/bin/sh\n',
  image: DEFAULT_AGENT_IMAGE,
  deadline: 1_800_000_000_000,
  leaseUntil: 1_799_999_880_000,
  backend: 'auto',
};

describe('agent objects', () => {
  it('everything carries the drill and fault labels; the selector finds them', () => {
    const ds = agentDaemonSet(o);
    const cm = agentConfigMap(o);
    for (const labels of [ds.metadata!.labels!, ds.spec!.template.metadata!.labels!, cm.metadata!.labels!]) {
      expect(labels).toMatchObject({ 'gameday.dev/drill': o.drillId, 'gameday.dev/fault': 'f1-nodes', 'app.kubernetes.io/managed-by': 'gameday' });
    }
    expect(selectorFor(o.drillId, o.faultId)).toBe(`gameday.dev/drill=${o.drillId},gameday.dev/fault=f1-nodes`);
    expect(ds.spec!.selector.matchLabels).toEqual({ 'gameday.dev/drill': o.drillId, 'gameday.dev/fault': 'f1-nodes' });
  });

  it('privileged, hostNetwork, tolerates everything, pinned to the target nodes (one term per node)', () => {
    const spec = agentDaemonSet(o).spec!.template.spec!;
    expect(spec.hostNetwork).toBe(true);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] },
    ]);
    const c = spec.containers[0]!;
    expect(c.securityContext).toEqual({ privileged: true });
    expect(c.command).toEqual(['/bin/sh', '/etc/gameday/agent.sh']);
    const env = Object.fromEntries(c.env!.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ GAMEDAY_DEADLINE: '1800000000', GAMEDAY_CHAIN: 'GD-0123abcd', GAMEDAY_LEASE_FILE: `/etc/gameday/${LEASE_KEY}`, GAMEDAY_IPTABLES: 'auto' });
    expect(c.readinessProbe!.exec!.command).toEqual(['cat', '/tmp/gameday-applied']);
  });

  it('the ConfigMap holds script, rules and the lease in epoch seconds', () => {
    expect(agentConfigMap(o).data).toEqual({ 'agent.sh': o.agentScript, rules: o.rulesFile, [LEASE_KEY]: '1799999880' });
  });

  it.each([
    ['Drill_ID with spaces', 'drill_id-with-spaces'],
    ['-x-', 'x'],
    ['a'.repeat(80), 'a'.repeat(63)],
  ])('labelValue(%s)', (input, want) => expect(labelValue(input)).toBe(want));
});

describe('node.iptables params', () => {
  it('reads command-line strings and defaults', () => {
    expect(nodeIptables.paramsSchema.parse({ preset: 'dns' })).toMatchObject({ action: 'drop', backend: 'auto', leaseTtl: 120_000, allowControlPlane: false });
    expect(nodeIptables.paramsSchema.parse(parseParams(['preset=ingress', 'port=30080', 'probability=0.3', 'allowControlPlane=false']))).toMatchObject({ port: 30080, probability: 0.3 });
    // YAML values are not coerced: text is not a port, a boolean or a probability
    for (const bad of [{ port: '30080' }, { allowControlPlane: 'false' }, { probability: '0.3' }, { port: 0 }, { port: 70_000 }]) expect(nodeIptables.paramsSchema.safeParse({ preset: 'ingress', ...bad }).success).toBe(false);
  });
  it.each([
    [{ preset: 'egress' }, /needs `to/],
    [{ preset: 'ingress', port: 10250 }, /control-plane/],
    [{ preset: 'dns', leaseTtl: '10s' }, /at least 30s/],
    [{ preset: 'dns', probability: 2 }, /probability|less than or equal/],
    [{ preset: 'firewall' }, /preset/],
  ])('refuses %j', (p, re) => {
    const r = nodeIptables.paramsSchema.safeParse(p);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(re);
  });
  it('is reversible, node-level and renews its lease', () => {
    expect(nodeIptables.reversible).toBe(true);
    expect(nodeIptables.nodeImpact).toBe(true);
    expect(nodeIptables.keepAlive).toBeTypeOf('function');
  });
});
