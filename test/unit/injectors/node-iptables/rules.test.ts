import { describe, expect, it } from 'vitest';
import {
  chainPrefix,
  checkSpec,
  cidrContains,
  describeRules,
  parseDestination,
  renderRules,
  rulesFile,
  summarize,
  type RuleSpec,
} from '../../../../src/injectors/node-iptables/rules.js';

const CP = { apiServers: [{ ip: '10.0.0.1', port: 6443 }], kubeletPort: 10250 };
const D = 'd1';
const line = (spec: RuleSpec, cp = CP): string[] => renderRules(spec, D, cp).map((r) => `${r.hook} ${r.args.join(' ')}`);

describe('parseDestination', () => {
  it.each([
    ['10.0.0.0/16:5432', { cidr: '10.0.0.0/16', port: 5432 }],
    ['10.1.2.3', { cidr: '10.1.2.3/32' }],
    ['10.1.2.3:80', { cidr: '10.1.2.3/32', port: 80 }],
    ['0.0.0.0/0', { cidr: '0.0.0.0/0' }],
  ])('%s', (s, want) => expect(parseDestination(s)).toEqual(want));
  it.each(['10.0.0.0/33', '10.0.0.256', 'example.com', '10.0.0.0/8:0', '10.0.0.0/8:70000', '::1'])('refuses %s', (s) => {
    expect(() => parseDestination(s)).toThrow();
  });
});

describe('cidrContains', () => {
  it.each([
    ['10.0.0.0/16', '10.0.255.1', true],
    ['10.0.0.0/16', '10.1.0.1', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['10.0.0.1/32', '10.0.0.1', true],
    ['10.0.0.1/32', '10.0.0.2', false],
  ])('%s ∋ %s = %s', (c, ip, want) => expect(cidrContains(c, ip)).toBe(want));
});

describe('renderRules', () => {
  it('egress cidr:port reject → tcp reset in OUTPUT and FORWARD, after the keep-open rules', () => {
    expect(line({ preset: 'egress', to: '10.9.0.0/16:5432', action: 'reject' })).toEqual([
      'OUTPUT -d 10.0.0.1/32 -p tcp --dport 6443 -m comment --comment gameday:d1:keep -j RETURN',
      'OUTPUT -p tcp --sport 10250 -m comment --comment gameday:d1:keep -j RETURN',
      'FORWARD -d 10.0.0.1/32 -p tcp --dport 6443 -m comment --comment gameday:d1:keep -j RETURN',
      'OUTPUT -d 10.9.0.0/16 -p tcp --dport 5432 -m comment --comment gameday:d1 -j REJECT --reject-with tcp-reset',
      'FORWARD -d 10.9.0.0/16 -p tcp --dport 5432 -m comment --comment gameday:d1 -j REJECT --reject-with tcp-reset',
    ]);
  });

  it('egress without port or protocol, drop → one rule per hook, all protocols', () => {
    const out = line({ preset: 'egress', to: '192.0.2.0/24', action: 'drop' });
    expect(out.filter((l) => !l.includes(':keep'))).toEqual([
      'OUTPUT -d 192.0.2.0/24 -m comment --comment gameday:d1 -j DROP',
      'FORWARD -d 192.0.2.0/24 -m comment --comment gameday:d1 -j DROP',
    ]);
  });

  it('egress without port, reject → tcp gets a reset, the rest an ICMP error', () => {
    const out = line({ preset: 'egress', to: '192.0.2.0/24', action: 'reject' }).filter((l) => l.startsWith('OUTPUT') && !l.includes(':keep'));
    expect(out).toEqual([
      'OUTPUT -d 192.0.2.0/24 -p tcp -m comment --comment gameday:d1 -j REJECT --reject-with tcp-reset',
      'OUTPUT -d 192.0.2.0/24 -m comment --comment gameday:d1 -j REJECT --reject-with icmp-port-unreachable',
    ]);
  });

  it('egress udp port', () => {
    const out = line({ preset: 'egress', to: '10.9.9.9:514', protocol: 'udp', action: 'reject' }).filter((l) => !l.includes(':keep'));
    expect(out[0]).toBe('OUTPUT -d 10.9.9.9/32 -p udp --dport 514 -m comment --comment gameday:d1 -j REJECT --reject-with icmp-port-unreachable');
  });

  it('ingress port → INPUT and FORWARD on the pre-DNAT port (NodePorts), kubelet and API server replies kept', () => {
    expect(line({ preset: 'ingress', port: 30080, action: 'drop' })).toEqual([
      'INPUT -p tcp --dport 10250 -m comment --comment gameday:d1:keep -j RETURN',
      'INPUT -s 10.0.0.1/32 -p tcp --sport 6443 -m comment --comment gameday:d1:keep -j RETURN',
      'FORWARD -d 10.0.0.1/32 -p tcp --dport 6443 -m comment --comment gameday:d1:keep -j RETURN',
      'INPUT -p tcp -m conntrack --ctorigdstport 30080 -m comment --comment gameday:d1 -j DROP',
      'FORWARD -p tcp -m conntrack --ctorigdstport 30080 -m comment --comment gameday:d1 -j DROP',
    ]);
  });

  it('dns → udp and tcp 53 in OUTPUT and FORWARD', () => {
    expect(line({ preset: 'dns', action: 'drop' }).filter((l) => !l.includes(':keep'))).toEqual([
      'OUTPUT -p udp --dport 53 -m comment --comment gameday:d1 -j DROP',
      'FORWARD -p udp --dport 53 -m comment --comment gameday:d1 -j DROP',
      'OUTPUT -p tcp --dport 53 -m comment --comment gameday:d1 -j DROP',
      'FORWARD -p tcp --dport 53 -m comment --comment gameday:d1 -j DROP',
    ]);
  });

  it('probability adds a statistic match to blocking rules only', () => {
    const out = line({ preset: 'dns', action: 'reject', probability: 0.25 });
    for (const l of out) expect(l.includes('--probability 0.25')).toBe(!l.includes(':keep'));
    expect(out.find((l) => !l.includes(':keep'))).toBe(
      'OUTPUT -p udp --dport 53 -m statistic --mode random --probability 0.25 -m comment --comment gameday:d1 -j REJECT --reject-with icmp-port-unreachable',
    );
  });

  it('probability 1 is the same as none', () => {
    expect(line({ preset: 'dns', action: 'drop', probability: 1 })).toEqual(line({ preset: 'dns', action: 'drop' }));
  });

  it('an egress block that covers the instance metadata service keeps the node\'s own path to it open', () => {
    const imds = 'OUTPUT -d 169.254.169.254/32 -p tcp --dport 80 -m comment --comment gameday:d1:keep -j RETURN';
    for (const to of ['0.0.0.0/0', '169.254.0.0/16', '169.254.169.254:80']) {
      const out = line({ preset: 'egress', to, action: 'drop' });
      expect(out).toContain(imds);
      expect(out.indexOf(imds)).toBeLessThan(out.findIndex((l) => l.endsWith('-j DROP')));
      expect(out.some((l) => l.startsWith('FORWARD') && l.includes(':keep') && l.includes('169.254.169.254'))).toBe(false); // pods: blocked as asked
    }
    expect(line({ preset: 'egress', to: '10.0.0.0/8', action: 'drop' }).some((l) => l.includes('169.254.169.254'))).toBe(false);
    expect(line({ preset: 'dns', action: 'drop' }).some((l) => l.includes('169.254.169.254'))).toBe(false);
    expect(line({ preset: 'egress', to: '0.0.0.0/0', action: 'drop', allowControlPlane: true }).some((l) => l.includes('169.254.169.254'))).toBe(false);
  });

  it('allowControlPlane drops the keep-open rules', () => {
    const out = line({ preset: 'egress', to: '0.0.0.0/0', action: 'drop', allowControlPlane: true });
    expect(out.some((l) => l.includes(':keep'))).toBe(false);
  });

  it('every rule carries the drill id in a comment', () => {
    for (const spec of [{ preset: 'dns', action: 'drop' }, { preset: 'ingress', port: 8080, action: 'reject' }, { preset: 'egress', to: '10.0.0.0/8', action: 'reject' }] as RuleSpec[]) {
      for (const l of line(spec)) expect(l).toMatch(/--comment gameday:d1(:keep)? /);
    }
  });

  it('refuses a drill id that is not a label value', () => {
    expect(() => renderRules({ preset: 'dns', action: 'drop' }, 'Bad Id', CP)).toThrow(/not a drill id/);
  });
});

describe('checkSpec', () => {
  it.each<[RuleSpec, RegExp]>([
    [{ preset: 'egress', action: 'drop' }, /needs `to/],
    [{ preset: 'egress', to: '10.0.0.0/8:10250', action: 'drop' }, /control-plane port/],
    [{ preset: 'egress', to: '10.0.0.0/8:80', protocol: 'all', action: 'drop' }, /protocol tcp or udp/],
    [{ preset: 'ingress', action: 'drop' }, /needs `port`/],
    [{ preset: 'ingress', port: 10250, action: 'drop' }, /control-plane port/],
    [{ preset: 'ingress', port: 6443, action: 'drop' }, /control-plane port/],
    [{ preset: 'ingress', port: 70000, action: 'drop' }, /out of range/],
    [{ preset: 'dns', port: 53, action: 'drop' }, /takes no/],
    [{ preset: 'dns', action: 'drop', probability: 0 }, /probability/],
    [{ preset: 'dns', action: 'drop', probability: 1.5 }, /probability/],
  ])('%j → %s', (spec, re) => {
    const problems = checkSpec(spec);
    expect(problems.join('; ')).toMatch(re);
    expect(() => renderRules(spec, D, CP)).toThrow(re);
  });

  it('a control-plane port is allowed when the scenario says so', () => {
    expect(checkSpec({ preset: 'ingress', port: 10250, action: 'drop', allowControlPlane: true })).toEqual([]);
  });
});

describe('rulesFile, describeRules, chainPrefix, summarize', () => {
  it('one line per rule, hook first', () => {
    const rules = renderRules({ preset: 'dns', action: 'drop', allowControlPlane: true }, D, CP);
    expect(rulesFile(rules).split('\n')).toEqual([...rules.map((r) => `${r.hook} ${r.args.join(' ')}`), '']);
    expect(describeRules(rules, 'GD-0000abcd')[0]).toBe('iptables -A GD-0000abcd-OUT -p udp --dport 53 -m comment --comment gameday:d1 -j DROP');
  });
  it('refuses arguments the agent would split or glob', () => {
    expect(() => rulesFile([{ hook: 'INPUT', args: ['-m', 'comment', '--comment', 'two words'] }])).toThrow();
    expect(() => rulesFile([{ hook: 'INPUT', args: ['*'] }])).toThrow();
  });
  it('chain prefixes are stable, short and distinct per fault', () => {
    const a = chainPrefix('drill-a', 'f1');
    expect(a).toMatch(/^GD-[0-9a-f]{8}$/);
    expect(chainPrefix('drill-a', 'f1')).toBe(a);
    expect(chainPrefix('drill-a', 'f2')).not.toBe(a);
    expect(`${a}-FWD`.length).toBeLessThanOrEqual(28); // iptables chain name limit
  });
  it.each<[RuleSpec, string]>([
    [{ preset: 'dns', action: 'drop' }, 'drop DNS (udp+tcp 53)'],
    [{ preset: 'egress', to: '10.0.0.0/16:5432', action: 'reject', probability: 0.3 }, 'reject egress to 10.0.0.0/16:5432 (30% of packets)'],
    [{ preset: 'ingress', port: 30080, action: 'drop' }, 'drop ingress to port 30080/tcp'],
  ])('summarize %j', (spec, want) => expect(summarize(spec)).toBe(want));
});
