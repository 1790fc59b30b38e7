/**
 * The front door's routing decision (pure): what a browser plus AWS would do with one HTTP request
 * for a name, given a snapshot of the local AWS endpoint's state (aws-view.ts) and the front door's
 * own target health checks (health.ts).
 *
 *   name ─Route 53 (alias / CNAME)─► load balancer (by DNS name) ─listener :80─► rules by priority
 *        ─► action: forward (target group → registered instances → private IP:port) | fixed-response | redirect
 *
 * Failures are what a player would meet on the internet:
 * - the name does not resolve (no record, or an alias whose load balancer is gone: Route 53 then
 *   answers with no address) or nothing listens (no HTTP:80 listener): `no-route` — the front door
 *   resets the connection, the nearest a local port can come to a browser's "This site can't be
 *   reached"; there is no HTTP status to show because no load balancer answered;
 * - the load balancer answers but has nothing to send to: 503 (ALB: no registered, healthy targets).
 */

export interface RecordView {
  /** lower case, no trailing dot */
  name: string;
  type: string;
  /** alias target's DNS name, normalised (see normaliseDns) */
  alias?: string;
  /** plain records' values (CNAME target, A addresses) */
  values: string[];
  /** a weighted record set: its SetIdentifier and Weight (0–255) */
  setIdentifier?: string;
  weight?: number;
}
export interface ZoneView {
  /** lower case, no trailing dot */
  name: string;
  records: RecordView[];
}
export interface ConditionView {
  field: string;
  values: string[];
}
export interface ActionView {
  type: string;
  order?: number;
  /** forward: target groups with weights (a plain TargetGroupArn is weight 1) */
  targetGroups?: { arn: string; weight: number }[];
  fixed?: { status: number; contentType?: string; body?: string };
  redirect?: { status: number; protocol?: string; host?: string; port?: string; path?: string; query?: string };
}
export interface RuleView {
  priority: number;
  conditions: ConditionView[];
  actions: ActionView[];
}
export interface ListenerView {
  port: number;
  protocol: string;
  defaultActions: ActionView[];
  rules: RuleView[];
}
export interface LoadBalancerView {
  arn: string;
  name: string;
  /** normalised */
  dnsName: string;
  state: string;
  listeners: ListenerView[];
}
export interface TargetView {
  id: string;
  port: number;
  /** as DescribeTargetHealth says: healthy | unused (stopped instance) | draining | … */
  state: string;
}
export interface TargetGroupView {
  arn: string;
  name: string;
  healthCheckPath: string;
  /** 'traffic-port' or a number */
  healthCheckPort: string;
  targets: TargetView[];
}
export interface InstanceView {
  id: string;
  privateIp?: string;
  state: string;
}
export interface AwsView {
  zones: ZoneView[];
  loadBalancers: LoadBalancerView[];
  targetGroups: TargetGroupView[];
  instances: InstanceView[];
  /** when it was read (ms since epoch) */
  at: number;
}

/** The front door's own health checks, by "ip:port": what an ALB's health checker would conclude. */
export type TargetHealth = 'initial' | 'healthy' | 'unhealthy';

export interface Endpoint {
  ip: string;
  port: number;
  instance: string;
}

export type Decision =
  | { kind: 'no-route'; reason: string }
  | { kind: 'respond'; status: number; headers: Record<string, string>; body: string; reason: string }
  | { kind: 'forward'; lb: string; targetGroup: string; endpoints: Endpoint[]; reason: string };

/** Lower case, no trailing dot, no `dualstack.` prefix: how an alias or CNAME names a load balancer. */
export function normaliseDns(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '');
}

const MAX_CNAME_HOPS = 8;

/**
 * Of a name's alias records, the one Route 53 answers with: the only one, or among weighted sets one
 * chosen in proportion to its weight (all at 0: each as likely) — a resolver asks again after the
 * TTL, the front door for each request, so traffic splits as the weights say.
 */
export function pickAlias(records: RecordView[], pick: () => number): RecordView | undefined {
  const aliases = records.filter((r) => (r.type === 'A' || r.type === 'AAAA') && r.alias);
  const weighted = aliases.filter((r) => r.weight !== undefined);
  if (!weighted.length) return aliases[0];
  const total = weighted.reduce((sum, r) => sum + Math.max(0, r.weight!), 0);
  if (total === 0) return weighted[Math.min(weighted.length - 1, Math.floor(pick() * weighted.length))];
  let x = pick() * total;
  return weighted.find((r) => (x -= Math.max(0, r.weight!)) < 0) ?? weighted.at(-1);
}

/** Route 53's answer for a name: the load balancer DNS name it leads to, or why none. */
export function resolveName(zones: ZoneView[], host: string, pick: () => number = Math.random): { lbDns: string; via: string[] } | { error: string } {
  let name = normaliseDns(host);
  const via: string[] = [];
  for (let hop = 0; hop < MAX_CNAME_HOPS; hop++) {
    // the most specific zone that contains the name answers for it
    const zone = zones.filter((z) => name === z.name || name.endsWith(`.${z.name}`)).sort((a, b) => b.name.length - a.name.length)[0];
    if (!zone) return hop === 0 ? { error: `${name} is in none of the sandbox's hosted zones (NXDOMAIN)` } : { lbDns: name, via };
    const records = zone.records.filter((r) => r.name === name);
    const alias = pickAlias(records, pick);
    if (alias?.alias) {
      via.push(`${name} → ${alias.setIdentifier !== undefined ? `weighted set ${alias.setIdentifier} (weight ${alias.weight}) → ` : ''}alias ${alias.alias}`);
      if (alias.alias.endsWith('.elb.amazonaws.com')) return { lbDns: alias.alias, via };
      name = alias.alias; // an alias to another record of a zone
      continue;
    }
    const cname = records.find((r) => r.type === 'CNAME' && r.values[0]);
    if (cname) {
      const to = normaliseDns(cname.values[0]!);
      via.push(`${name} → CNAME ${to}`);
      if (to.endsWith('.elb.amazonaws.com')) return { lbDns: to, via };
      name = to;
      continue;
    }
    if (records.some((r) => r.type === 'A')) return { error: `${name} is a plain A record (${records.find((r) => r.type === 'A')?.values.join(', ')}), not a load balancer the sandbox can reach` };
    return { error: `${name} has no A, AAAA or CNAME record in zone ${zone.name} (NXDOMAIN)` };
  }
  return { error: `${host}: more than ${MAX_CNAME_HOPS} CNAME/alias hops` };
}

/** ALB path patterns: case-sensitive, `*` any run of characters, `?` one character. */
export function matchPattern(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, caseInsensitive ? 'i' : '');
  return re.test(value);
}

function ruleMatches(rule: RuleView, req: { host: string; path: string; method: string }): boolean {
  return rule.conditions.every((c) => {
    switch (c.field) {
      case 'path-pattern':
        return c.values.some((v) => matchPattern(v, req.path));
      case 'host-header':
        return c.values.some((v) => matchPattern(v, req.host, true));
      case 'http-request-method':
        return c.values.some((v) => v.toUpperCase() === req.method.toUpperCase());
      default:
        return false; // a condition the sandbox does not model never matches (the rule is skipped)
    }
  });
}

const ALB_REASONS: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };

/** An ALB's own error page (what a browser shows when the load balancer answers but cannot serve). */
export function albError(status: number, reason: string): Extract<Decision, { kind: 'respond' }> {
  const title = `${status} ${ALB_REASONS[status] ?? 'Error'}`;
  return { kind: 'respond', status, headers: { 'content-type': 'text/html', server: 'awselb/2.0' }, body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`, reason };
}

/**
 * Which endpoints of a target group get traffic: registered targets in service (not draining, not a
 * stopped or terminated instance) whose health checks pass. When none passes, an ALB "fails open"
 * and sends to every target in service; with none in service it answers 503.
 */
export function targetEndpoints(tg: TargetGroupView, instances: InstanceView[], health: (key: string) => TargetHealth): { endpoints: Endpoint[]; note: string } {
  const inService: Endpoint[] = [];
  const skipped: string[] = [];
  for (const t of tg.targets) {
    const inst = instances.find((i) => i.id === t.id);
    if (t.state !== 'healthy' && t.state !== 'initial') skipped.push(`${t.id} ${t.state}`);
    else if (!inst?.privateIp) skipped.push(`${t.id} no such instance`);
    else if (inst.state !== 'running') skipped.push(`${t.id} ${inst.state}`);
    else inService.push({ ip: inst.privateIp, port: t.port, instance: t.id });
  }
  const passing = inService.filter((e) => health(`${e.ip}:${e.port}`) === 'healthy');
  if (passing.length) return { endpoints: passing, note: `${passing.length} of ${tg.targets.length} target(s) healthy` };
  if (inService.length) return { endpoints: inService, note: `no target passes its health check: failing open to ${inService.length} target(s) in service` };
  return { endpoints: [], note: tg.targets.length ? `no target in service (${skipped.join(', ')})` : 'no registered targets' };
}

/** The decision for one request. `pick` chooses among weighted record sets and target groups (random in production). */
export function route(view: AwsView, req: { host: string; path: string; method: string; query?: string }, health: (key: string) => TargetHealth, pick: () => number = Math.random): Decision {
  const host = normaliseDns(req.host.replace(/:\d+$/, ''));
  const resolved = resolveName(view.zones, host, pick);
  if ('error' in resolved) return { kind: 'no-route', reason: resolved.error };
  const lb = view.loadBalancers.find((l) => l.dnsName === resolved.lbDns);
  if (!lb) return { kind: 'no-route', reason: `${resolved.via.join(', ')}: no load balancer has that DNS name (deleted, or the record was not re-pointed): the name has no address` };
  if (lb.state !== 'active') return { kind: 'no-route', reason: `load balancer ${lb.name} is ${lb.state}` };
  const listener = lb.listeners.find((l) => l.port === 80 && l.protocol === 'HTTP');
  if (!listener) return { kind: 'no-route', reason: `load balancer ${lb.name} has no HTTP:80 listener: nothing accepts the connection` };
  const rule = [...listener.rules].sort((a, b) => a.priority - b.priority).find((r) => ruleMatches(r, { host, path: req.path, method: req.method }));
  const actions = [...(rule?.actions ?? listener.defaultActions)].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const action = actions.find((a) => a.type === 'forward' || a.type === 'fixed-response' || a.type === 'redirect');
  const where = rule ? `rule ${rule.priority}` : 'default action';
  if (!action) return albError(503, `${lb.name} ${where}: no action the sandbox can perform (${actions.map((a) => a.type).join(', ') || 'none'})`);
  if (action.type === 'fixed-response' && action.fixed) {
    return { kind: 'respond', status: action.fixed.status, headers: { 'content-type': action.fixed.contentType ?? 'text/plain', server: 'awselb/2.0' }, body: action.fixed.body ?? '', reason: `${lb.name} ${where}: fixed response` };
  }
  if (action.type === 'redirect' && action.redirect) {
    const r = action.redirect;
    const sub = (v: string | undefined, key: string, actual: string) => (v ?? `#{${key}}`).replace(`#{${key}}`, actual);
    const protocol = sub(r.protocol, 'protocol', 'HTTP').toLowerCase();
    const port = sub(r.port, 'port', '80');
    const location = `${protocol}://${sub(r.host, 'host', host)}${(protocol === 'http' && port === '80') || (protocol === 'https' && port === '443') ? '' : `:${port}`}${sub(r.path, 'path', req.path)}${req.query || r.query ? `?${sub(r.query, 'query', req.query ?? '')}` : ''}`;
    return { kind: 'respond', status: r.status, headers: { location, server: 'awselb/2.0' }, body: '', reason: `${lb.name} ${where}: redirect` };
  }
  const groups = action.targetGroups ?? [];
  const total = groups.reduce((s, g) => s + Math.max(0, g.weight), 0);
  let x = pick() * total;
  const chosen = groups.find((g) => (x -= Math.max(0, g.weight)) < 0) ?? groups[0];
  const tg = chosen && view.targetGroups.find((t) => t.arn === chosen.arn);
  if (!tg) return albError(503, `${lb.name} ${where}: its target group is gone`);
  const { endpoints, note } = targetEndpoints(tg, view.instances, health);
  if (!endpoints.length) return albError(503, `${lb.name} → ${tg.name}: ${note}`);
  return { kind: 'forward', lb: lb.name, targetGroup: tg.name, endpoints, reason: `${resolved.via.join(', ')} → ${lb.name} ${where} → ${tg.name}: ${note}` };
}
