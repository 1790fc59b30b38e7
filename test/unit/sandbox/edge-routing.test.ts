import { describe, expect, it } from 'vitest';
import { matchPattern, normaliseDns, pickAlias, resolveName, route, targetEndpoints, type AwsView, type TargetHealth } from '../../../src/sandbox/edge/routing.js';

const LB_DNS = 'shop-public-1.us-east-1.elb.amazonaws.com';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/shop-web/1';
const API_TG = 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/api/2';

function world(over: Partial<AwsView> = {}): AwsView {
  return {
    at: 0,
    zones: [
      {
        name: 'shop.example',
        records: [
          { name: 'www.shop.example', type: 'A', alias: LB_DNS, values: [] },
          { name: 'shop.example', type: 'CNAME', values: ['www.shop.example.'] },
          { name: 'legacy.shop.example', type: 'A', values: ['203.0.113.7'] },
        ],
      },
    ],
    loadBalancers: [
      {
        arn: 'arn:lb/1',
        name: 'shop-public',
        dnsName: LB_DNS,
        state: 'active',
        listeners: [
          {
            port: 80,
            protocol: 'HTTP',
            defaultActions: [{ type: 'forward', targetGroups: [{ arn: TG, weight: 1 }] }],
            rules: [
              { priority: 20, conditions: [{ field: 'path-pattern', values: ['/maintenance*'] }], actions: [{ type: 'fixed-response', fixed: { status: 503, contentType: 'text/plain', body: 'back soon' } }] },
              { priority: 10, conditions: [{ field: 'path-pattern', values: ['/api/*'] }], actions: [{ type: 'forward', targetGroups: [{ arn: API_TG, weight: 1 }] }] },
              { priority: 30, conditions: [{ field: 'path-pattern', values: ['/old'] }], actions: [{ type: 'redirect', redirect: { status: 301, path: '/checkout' } }] },
            ],
          },
        ],
      },
    ],
    targetGroups: [
      {
        arn: TG,
        name: 'shop-web',
        healthCheckPath: '/healthz',
        healthCheckPort: 'traffic-port',
        targets: [
          { id: 'i-a', port: 30080, state: 'healthy' },
          { id: 'i-b', port: 30080, state: 'healthy' },
          { id: 'i-c', port: 30080, state: 'draining' },
        ],
      },
      { arn: API_TG, name: 'api', healthCheckPath: '/', healthCheckPort: 'traffic-port', targets: [] },
    ],
    instances: [
      { id: 'i-a', privateIp: '10.20.1.6', state: 'running' },
      { id: 'i-b', privateIp: '10.20.2.7', state: 'running' },
      { id: 'i-c', privateIp: '10.20.1.8', state: 'running' },
    ],
    ...over,
  };
}

const allHealthy = (): TargetHealth => 'healthy';
const req = (host: string, path = '/checkout', method = 'GET') => ({ host, path, method });

describe('front door routing (Route 53 → ALB → listener and rules → target group)', () => {
  it('forwards www to the healthy, registered instances on their registered port', () => {
    const d = route(world(), req('www.shop.example'), allHealthy);
    expect(d.kind).toBe('forward');
    if (d.kind !== 'forward') return;
    expect(d.endpoints).toEqual([
      { ip: '10.20.1.6', port: 30080, instance: 'i-a' },
      { ip: '10.20.2.7', port: 30080, instance: 'i-b' },
    ]);
    expect(d.reason).toContain('www.shop.example → alias shop-public-1');
  });

  it('ignores case, a trailing dot and a port in the Host header; follows a CNAME to the alias', () => {
    expect(route(world(), req('WWW.Shop.Example.:80'), allHealthy).kind).toBe('forward');
    expect(route(world(), req('shop.example'), allHealthy).kind).toBe('forward');
  });

  it.each([
    ['a name without a record', 'nope.shop.example', 'NXDOMAIN'],
    ['a name outside every zone', 'example.org', 'none of the sandbox'],
    ['a plain A record', 'legacy.shop.example', 'plain A record'],
  ])('%s does not route', (_what, host, reason) => {
    const d = route(world(), req(host), allHealthy);
    expect(d).toMatchObject({ kind: 'no-route' });
    expect(d.reason).toContain(reason);
  });

  it('a deleted load balancer leaves a dangling alias: no route', () => {
    const d = route(world({ loadBalancers: [] }), req('www.shop.example'), allHealthy);
    expect(d.kind).toBe('no-route');
    expect(d.reason).toMatch(/no load balancer has that DNS name/);
  });

  it('a re-created load balancer with a new DNS name routes only once the alias is re-pointed', () => {
    const recreated = { ...world().loadBalancers[0]!, arn: 'arn:lb/2', dnsName: 'shop-public-2.us-east-1.elb.amazonaws.com' };
    expect(route(world({ loadBalancers: [recreated] }), req('www.shop.example'), allHealthy).kind).toBe('no-route');
    const repointed = world({ loadBalancers: [recreated] });
    repointed.zones[0]!.records[0]!.alias = 'shop-public-2.us-east-1.elb.amazonaws.com';
    expect(route(repointed, req('www.shop.example'), allHealthy).kind).toBe('forward');
  });

  it('no HTTP:80 listener, or a load balancer still provisioning: no route', () => {
    const lb = world().loadBalancers[0]!;
    expect(route(world({ loadBalancers: [{ ...lb, listeners: [] }] }), req('www.shop.example'), allHealthy).reason).toMatch(/no HTTP:80 listener/);
    expect(route(world({ loadBalancers: [{ ...lb, state: 'provisioning' }] }), req('www.shop.example'), allHealthy).reason).toMatch(/provisioning/);
  });

  it('rules apply by priority, not by order: fixed response, forward to an empty group (503), redirect', () => {
    expect(route(world(), req('www.shop.example', '/maintenance/now'), allHealthy)).toMatchObject({ kind: 'respond', status: 503, body: 'back soon' });
    const api = route(world(), req('www.shop.example', '/api/x'), allHealthy);
    expect(api).toMatchObject({ kind: 'respond', status: 503 });
    expect(api.reason).toMatch(/no registered targets/);
    expect(route(world(), req('www.shop.example', '/old'), allHealthy)).toMatchObject({ kind: 'respond', status: 301, headers: { location: 'http://www.shop.example/checkout' } });
  });

  it('deregistered, draining and stopped instances get no traffic; none in service is a 503', () => {
    const w = world();
    w.instances[1]!.state = 'stopped';
    const d = route(w, req('www.shop.example'), allHealthy);
    expect(d.kind === 'forward' && d.endpoints.map((e) => e.instance)).toEqual(['i-a']);
    w.targetGroups[0]!.targets = [{ id: 'i-a', port: 30080, state: 'unused' }];
    expect(route(w, req('www.shop.example'), allHealthy)).toMatchObject({ kind: 'respond', status: 503 });
  });

  it('only targets passing the health checks get traffic; when none passes, the ALB fails open', () => {
    const tg = world().targetGroups[0]!;
    const inst = world().instances;
    expect(targetEndpoints(tg, inst, (k) => (k === '10.20.2.7:30080' ? 'healthy' : 'unhealthy')).endpoints.map((e) => e.instance)).toEqual(['i-b']);
    const open = targetEndpoints(tg, inst, () => 'unhealthy');
    expect(open.endpoints.map((e) => e.instance)).toEqual(['i-a', 'i-b']);
    expect(open.note).toMatch(/failing open/);
  });

  it('weighted forwards pick by weight', () => {
    const w = world();
    w.loadBalancers[0]!.listeners[0]!.defaultActions = [{ type: 'forward', targetGroups: [{ arn: API_TG, weight: 1 }, { arn: TG, weight: 3 }] }];
    expect(route(w, req('www.shop.example'), allHealthy, () => 0.1).kind).toBe('respond'); // api: empty
    expect(route(w, req('www.shop.example'), allHealthy, () => 0.9).kind).toBe('forward');
  });

  it('patterns and names', () => {
    expect(matchPattern('/checkout/*', '/checkout/pay')).toBe(true);
    expect(matchPattern('/checkout/*', '/checkout')).toBe(false);
    expect(matchPattern('/a?c', '/abc')).toBe(true);
    expect(matchPattern('/a.c', '/abc')).toBe(false);
    expect(normaliseDns('dualstack.Shop-Public-1.us-east-1.elb.amazonaws.com.')).toBe(LB_DNS);
    expect(resolveName(world().zones, 'www.shop.example')).toEqual({ lbDns: LB_DNS, via: [`www.shop.example → alias ${LB_DNS}`] });
  });
});

describe('weighted record sets (the old stack behind api.shop.example)', () => {
  const OLD_DNS = 'shop-beanstalk-1.us-east-1.elb.amazonaws.com';
  const api = (k8s: number, old: number) => [
    { name: 'api.shop.example', type: 'A', alias: LB_DNS, values: [], setIdentifier: 'kubernetes', weight: k8s },
    { name: 'api.shop.example', type: 'A', alias: OLD_DNS, values: [], setIdentifier: 'beanstalk', weight: old },
  ];
  const share = (k8s: number, old: number) => {
    const picks = Array.from({ length: 100 }, (_, i) => pickAlias(api(k8s, old), () => (i + 0.5) / 100)?.setIdentifier);
    return picks.filter((p) => p === 'beanstalk').length;
  };

  it('traffic splits as the weights say: 100/0 never reaches the old stack, 0/100 always, 75/25 a quarter', () => {
    expect(share(100, 0)).toBe(0);
    expect(share(0, 100)).toBe(100);
    expect(share(75, 25)).toBe(25);
    // all at zero: Route 53 answers with each set as often
    expect(share(0, 0)).toBe(50);
  });

  it('the answer says which set it came from', () => {
    const zones = [{ name: 'shop.example', records: api(0, 100) }];
    expect(resolveName(zones, 'api.shop.example', () => 0.3)).toEqual({ lbDns: OLD_DNS, via: [`api.shop.example → weighted set beanstalk (weight 100) → alias ${OLD_DNS}`] });
  });

  it('a plain alias beside nothing weighted is the answer, as before', () => {
    expect(pickAlias([{ name: 'www.shop.example', type: 'A', alias: LB_DNS, values: [] }], () => 0.99)?.alias).toBe(LB_DNS);
  });
});

describe('the instance follower: what a change of instance state does to its node', () => {
  it.each([
    ['running', 'stopping', 'stop'],
    ['running', 'stopped', 'stop'],
    ['pending', 'stopped', 'stop'],
    ['running', 'terminated', 'terminate'],
    ['stopped', 'shutting-down', 'terminate'],
    ['stopped', 'pending', 'start'],
    ['stopped', 'running', 'start'],
    ['stopping', 'running', 'start'],
  ])('%s → %s: %s', async (from, to, action) => {
    const { nodeActions } = await import('../../../src/sandbox/edge/instances.js');
    expect(nodeActions(new Map([['n1', from]]), new Map([['n1', to]]))).toEqual([{ node: 'n1', action, from, to }]);
  });

  it('nothing on the first reading, on no change, or between two "down" states', async () => {
    const { nodeActions } = await import('../../../src/sandbox/edge/instances.js');
    expect(nodeActions(new Map(), new Map([['n1', 'stopped']]))).toEqual([]);
    expect(nodeActions(new Map([['n1', 'running']]), new Map([['n1', 'running']]))).toEqual([]);
    expect(nodeActions(new Map([['n1', 'stopping']]), new Map([['n1', 'stopped']]))).toEqual([]);
    expect(nodeActions(new Map([['n1', 'running']]), new Map([['n1', 'pending']]))).toEqual([]);
    expect(nodeActions(new Map([['n1', 'terminated']]), new Map([['n1', 'running']]))).toEqual([]);
  });

  it('holds down only the nodes whose instance was down at the last reading and still is', async () => {
    const { nodesStayingDown } = await import('../../../src/sandbox/edge/instances.js');
    const before = new Map([['a', 'stopped'], ['b', 'running'], ['c', 'stopping'], ['d', 'stopped']]);
    const now = new Map([['a', 'stopped'], ['b', 'stopped'], ['c', 'stopped'], ['d', 'running'], ['e', 'stopped']]);
    expect(nodesStayingDown(before, now)).toEqual([{ node: 'a', state: 'stopped' }, { node: 'c', state: 'stopped' }]);
  });
});
