/**
 * Pure rendering of `node.iptables` presets into iptables rules, for the node agent (agent.sh).
 * No I/O. Each rule is a hook (the built-in chain whose traffic it sees) plus the match-and-target
 * arguments that go into the fault's own chain; the agent adds them check-before-add and removes
 * them by deleting the chain, never by position.
 *
 * Presets
 *   egress   block traffic leaving the node (OUTPUT) and its pods (FORWARD) to cidr[:port]
 *   ingress  block traffic to a port of the node (INPUT), NodePorts included (FORWARD, matched on
 *            the pre-DNAT destination port with conntrack)
 *   dns      block DNS: udp and tcp to port 53 (OUTPUT + FORWARD)
 * Unless `allowControlPlane` is set, the control-plane path is kept open by RETURN rules placed
 * before the blocking ones: the API server endpoints (the kubelet's and the lease's path), the
 * kubelet's port and, when an egress block covers it, the node's own path to the EC2 instance
 * metadata service (its IAM credentials: without them the CNI, image pulls from ECR and the
 * kubelet's AWS calls fail, and the node is lost rather than degraded).
 */
export type Hook = 'INPUT' | 'OUTPUT' | 'FORWARD';
export type Preset = 'egress' | 'ingress' | 'dns';
export type Action = 'drop' | 'reject';
export type Protocol = 'tcp' | 'udp' | 'all';

export interface Rule {
  hook: Hook;
  args: string[];
}

export interface RuleSpec {
  preset: Preset;
  /** egress: cidr[:port] */
  to?: string;
  /** ingress: the node port to block */
  port?: number;
  /** egress/ingress protocol (default tcp when a port is given, all otherwise) */
  protocol?: Protocol;
  action: Action;
  /** 0 < p ≤ 1: share of matching packets hit (statistic match) */
  probability?: number;
  allowControlPlane?: boolean;
}

export interface ControlPlane {
  /** API server endpoints as the nodes reach them (the `kubernetes` Service's endpoints) */
  apiServers: { ip: string; port: number }[];
  /** kubelet port (10250) */
  kubeletPort: number;
}

/** The EC2 instance metadata service (IMDSv1/v2, http on port 80). */
export const INSTANCE_METADATA = { ip: '169.254.169.254', port: 80 } as const;

/** Ports a node-level block must not hit unless the scenario says so. */
export const CONTROL_PLANE_PORTS = [10250, 10255, 10256, 6443, 2379, 2380] as const;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DRILL_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export interface Destination {
  cidr: string;
  port?: number;
}

/** Parses `cidr[:port]` (IPv4; a bare address means /32). Throws a one-line message. */
export function parseDestination(s: string): Destination {
  const m = /^([0-9.]+)(?:\/(\d{1,2}))?(?::(\d{1,5}))?$/.exec(s.trim());
  if (!m || !IPV4.test(m[1]!)) throw new Error(`"${s}" is not an IPv4 cidr[:port] (e.g. 10.0.0.0/16:5432)`);
  const bits = m[2] === undefined ? 32 : Number(m[2]);
  if (bits > 32) throw new Error(`"${s}": prefix length ${bits} is over 32`);
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`"${s}": port ${port} is out of range`);
  return port === undefined ? { cidr: `${m[1]}/${bits}` } : { cidr: `${m[1]}/${bits}`, port };
}

const ipToInt = (ip: string): number => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);

/** Does the cidr contain the address? */
export function cidrContains(cidr: string, ip: string): boolean {
  const [net, bitsS] = cidr.split('/');
  const bits = Number(bitsS ?? 32);
  if (bits === 0) return true;
  const size = 2 ** (32 - bits);
  return Math.floor(ipToInt(net!) / size) === Math.floor(ipToInt(ip) / size);
}

/** The agent's chain prefix for a fault: `GD-` + 8 hex of a hash of drill and fault ids (FNV-1a). */
export function chainPrefix(drillId: string, faultId: string): string {
  let h = 0x811c9dc5;
  for (const ch of `${drillId}/${faultId}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `GD-${h.toString(16).padStart(8, '0')}`;
}

/** Every reason the spec cannot be rendered, one line each (empty when fine). */
export function checkSpec(spec: RuleSpec): string[] {
  const problems: string[] = [];
  if (spec.preset === 'egress') {
    if (!spec.to) problems.push('preset egress needs `to: cidr[:port]`');
    else {
      try {
        const d = parseDestination(spec.to);
        if (spec.protocol === 'all' && d.port !== undefined) problems.push('a port needs protocol tcp or udp');
        if (!spec.allowControlPlane && d.port !== undefined && (CONTROL_PLANE_PORTS as readonly number[]).includes(d.port)) {
          problems.push(`port ${d.port} is a control-plane port: set allowControlPlane to block it on purpose`);
        }
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    if (spec.port !== undefined) problems.push('preset egress takes its port in `to` (cidr:port), not `port`');
  }
  if (spec.preset === 'ingress') {
    if (spec.port === undefined) problems.push('preset ingress needs `port`');
    else if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) problems.push(`port ${spec.port} is out of range`);
    else if (!spec.allowControlPlane && (CONTROL_PLANE_PORTS as readonly number[]).includes(spec.port)) {
      problems.push(`port ${spec.port} is a control-plane port (kubelet, API server, etcd): set allowControlPlane to block it on purpose`);
    }
    if (spec.protocol === 'all') problems.push('preset ingress blocks one port: protocol tcp or udp');
    if (spec.to !== undefined) problems.push('preset ingress takes `port`, not `to`');
  }
  if (spec.preset === 'dns' && (spec.to !== undefined || spec.port !== undefined || spec.protocol !== undefined)) {
    problems.push('preset dns takes no `to`, `port` or `protocol`: it blocks udp and tcp port 53');
  }
  if (spec.probability !== undefined && !(spec.probability > 0 && spec.probability <= 1)) problems.push('probability must be in (0, 1]');
  return problems;
}

const targetArgs = (action: Action, proto: 'tcp' | 'udp' | undefined): string[] => {
  if (action === 'drop') return ['-j', 'DROP'];
  if (proto === 'tcp') return ['-j', 'REJECT', '--reject-with', 'tcp-reset'];
  return ['-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'];
};

const probabilityArgs = (p: number | undefined): string[] =>
  p === undefined || p >= 1 ? [] : ['-m', 'statistic', '--mode', 'random', '--probability', String(p)];

const comment = (drillId: string, what?: string): string[] => ['-m', 'comment', '--comment', what ? `gameday:${drillId}:${what}` : `gameday:${drillId}`];

/**
 * The rule set of a fault, in order (keep-open RETURN rules first). Throws when the spec has
 * problems (see checkSpec) or the drill id is not a label value.
 */
export function renderRules(spec: RuleSpec, drillId: string, cp: ControlPlane): Rule[] {
  const problems = checkSpec(spec);
  if (problems.length) throw new Error(problems.join('; '));
  if (!DRILL_ID.test(drillId)) throw new Error(`not a drill id: "${drillId}"`);

  const block: Rule[] = [];
  const add = (hooks: Hook[], match: string[], proto: 'tcp' | 'udp' | undefined): void => {
    for (const hook of hooks) {
      block.push({ hook, args: [...match, ...probabilityArgs(spec.probability), ...comment(drillId), ...targetArgs(spec.action, proto)] });
    }
  };
  const protos = (p: Protocol | undefined, hasPort: boolean): ('tcp' | 'udp' | undefined)[] =>
    p === 'tcp' || p === 'udp' ? [p] : hasPort ? ['tcp'] : [undefined];

  if (spec.preset === 'egress') {
    const d = parseDestination(spec.to!);
    for (const proto of protos(spec.protocol, d.port !== undefined)) {
      const match = ['-d', d.cidr];
      if (proto) match.push('-p', proto);
      if (d.port !== undefined) match.push('--dport', String(d.port));
      // without a protocol, TCP still gets a reset (connection refused) rather than an ICMP error
      if (!proto && spec.action === 'reject') add(['OUTPUT', 'FORWARD'], [...match, '-p', 'tcp'], 'tcp');
      add(['OUTPUT', 'FORWARD'], match, proto);
    }
  } else if (spec.preset === 'ingress') {
    for (const proto of protos(spec.protocol, true)) {
      add(['INPUT', 'FORWARD'], ['-p', proto!, '-m', 'conntrack', '--ctorigdstport', String(spec.port)], proto);
    }
  } else {
    for (const proto of ['udp', 'tcp'] as const) add(['OUTPUT', 'FORWARD'], ['-p', proto, '--dport', '53'], proto);
  }

  if (spec.allowControlPlane) return block;
  const hooks = new Set(block.map((r) => r.hook));
  const keep: Rule[] = [];
  const k = comment(drillId, 'keep');
  for (const hook of ['INPUT', 'OUTPUT', 'FORWARD'] as const) {
    if (!hooks.has(hook)) continue;
    if (hook === 'OUTPUT' || hook === 'FORWARD') {
      for (const a of cp.apiServers) keep.push({ hook, args: ['-d', `${a.ip}/32`, '-p', 'tcp', '--dport', String(a.port), ...k, '-j', 'RETURN'] });
    }
    if (hook === 'OUTPUT') keep.push({ hook, args: ['-p', 'tcp', '--sport', String(cp.kubeletPort), ...k, '-j', 'RETURN'] });
    if (hook === 'OUTPUT' && spec.preset === 'egress' && cidrContains(parseDestination(spec.to!).cidr, INSTANCE_METADATA.ip)) {
      keep.push({ hook, args: ['-d', `${INSTANCE_METADATA.ip}/32`, '-p', 'tcp', '--dport', String(INSTANCE_METADATA.port), ...k, '-j', 'RETURN'] });
    }
    if (hook === 'INPUT') {
      keep.push({ hook, args: ['-p', 'tcp', '--dport', String(cp.kubeletPort), ...k, '-j', 'RETURN'] });
      for (const a of cp.apiServers) keep.push({ hook, args: ['-s', `${a.ip}/32`, '-p', 'tcp', '--sport', String(a.port), ...k, '-j', 'RETURN'] });
    }
  }
  return [...keep, ...block];
}

/** The agent's rules file: one rule a line, "<HOOK> <args…>" (no quoting needed: no spaces anywhere). */
export function rulesFile(rules: Rule[]): string {
  for (const r of rules) {
    for (const a of r.args) if (!/^[A-Za-z0-9._:/=+-]+$/.test(a)) throw new Error(`iptables argument "${a}" has characters the agent does not pass through`);
  }
  return rules.map((r) => `${r.hook} ${r.args.join(' ')}`).join('\n') + '\n';
}

const SHORT: Record<Hook, string> = { INPUT: 'IN', OUTPUT: 'OUT', FORWARD: 'FWD' };

/** The commands the agent will run, for plans and reports. */
export function describeRules(rules: Rule[], prefix: string): string[] {
  return rules.map((r) => `iptables -A ${prefix}-${SHORT[r.hook]} ${r.args.join(' ')}`);
}

/** One line for the plan: what the preset does. */
export function summarize(spec: RuleSpec): string {
  const how = spec.action === 'drop' ? 'drop' : 'reject';
  const share = spec.probability !== undefined && spec.probability < 1 ? ` (${Math.round(spec.probability * 100)}% of packets)` : '';
  if (spec.preset === 'egress') return `${how} egress to ${spec.to}${spec.protocol && spec.protocol !== 'all' ? `/${spec.protocol}` : ''}${share}`;
  if (spec.preset === 'ingress') return `${how} ingress to port ${spec.port}/${spec.protocol ?? 'tcp'}${share}`;
  return `${how} DNS (udp+tcp 53)${share}`;
}
