/**
 * The real nodes' pure parts (layout, configuration files, API server flags, add-on objects) as
 * table tests, and the relay as a real process on 127.0.0.1 and unix sockets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { componentSpecs } from '../../../src/sandbox/components.js';
import { sandboxPaths } from '../../../src/sandbox/paths.js';
import { corednsObjects, realShopObjects, SHOP_NODE_PORT } from '../../../src/sandbox/real-node/addons.js';
import { cniConflist, containerdConfig, egressSelectorConfig, kubeletConfig, kubeProxyConfig } from '../../../src/sandbox/real-node/configs.js';
import { CLUSTER_DNS, DB_ADDRESS, netLayout, planRealNode, VPC_GATEWAY } from '../../../src/sandbox/real-node/layout.js';
import { RELAY_SCRIPT } from '../../../src/sandbox/real-node/nodes.js';
import { realNodeRequirements } from '../../../src/sandbox/real-node/preflight.js';
import { freePort } from '../../../src/sandbox/supervisor.js';

const node = planRealNode({ index: 2, zone: 'us-east-1b', ip: '10.20.2.77', stateDir: '/tmp/state' });

describe('real node layout and configuration (pure)', () => {
  it('gives each node its namespace, link, pod CIDR, cgroup and directory, all marked as ours', () => {
    const id = netLayout('/tmp/state').instance;
    expect(id).toMatch(/^[0-9a-f]{6}$/);
    expect(netLayout('/tmp/other-state').instance).not.toBe(id); // a second sandbox never shares marks
    expect(node).toMatchObject({ name: 'sandbox-real-2', netns: `gameday-sbx-${id}-sandbox-real-2`, veth: 'gdv-2', podCidr: '10.246.2.0/24', podGateway: '10.246.2.1', cgroup: `gameday-sandbox/${id}/sandbox-real-2`, dir: '/tmp/state/nodes/sandbox-real-2' });
    expect(node.veth.length).toBeLessThanOrEqual(15); // Linux interface names
  });

  it('kubelet: the node address, its own cgroup root, the cluster DNS, no kernel tunables rewritten, the instance as provider', () => {
    const cfg = JSON.parse(kubeletConfig(node, { caFile: '/ca', certFile: '/c', keyFile: '/k', providerId: 'aws:///us-east-1b/i-1' })) as Record<string, unknown>;
    expect(cfg).toMatchObject({ kind: 'KubeletConfiguration', address: '10.20.2.77', cgroupRoot: `/gameday-sandbox/${netLayout('/tmp/state').instance}/sandbox-real-2`, cgroupDriver: 'cgroupfs', clusterDNS: [CLUSTER_DNS], providerID: 'aws:///us-east-1b/i-1', protectKernelDefaults: false, failCgroupV1: false, imageGCHighThresholdPercent: 100 });
    expect(cfg.authentication).toMatchObject({ anonymous: { enabled: false }, x509: { clientCAFile: '/ca' } });
  });

  it('containerd: the local pause image, pods’ network namespaces under its private state, CNI from Debian', () => {
    const toml = containerdConfig(node, 'gameday.local/pause:3.10');
    expect(toml).toContain('sandbox_image = "gameday.local/pause:3.10"');
    expect(toml).toContain('netns_mounts_under_state_dir = true');
    expect(toml).toContain('bin_dir = "/usr/lib/cni"');
    expect(toml).toContain('conf_dir = "/tmp/state/nodes/sandbox-real-2/etc/cni/net.d"');
    const cni = JSON.parse(cniConflist(node)) as { plugins: { type: string; ipMasq?: boolean; ipam?: { ranges: { subnet: string }[][] } }[] };
    expect(cni.plugins.map((p) => p.type)).toEqual(['bridge', 'portmap']);
    expect(cni.plugins[0]!.ipam!.ranges[0]![0]!.subnet).toBe('10.246.2.0/24');
    expect(cni.plugins[0]!.ipMasq).toBe(false);
  });

  it("kube-proxy: iptables mode, and the host's global conntrack settings left alone", () => {
    const cfg = JSON.parse(kubeProxyConfig(node)) as Record<string, unknown>;
    expect(cfg).toMatchObject({ mode: 'iptables', hostnameOverride: 'sandbox-real-2', conntrack: { maxPerCore: 0, tcpEstablishedTimeout: '0s' } });
  });

  it('the API server: with real nodes, Node authorizer, the VPC address for the kubernetes Service, and egress through the relay; without, unchanged', () => {
    const p = sandboxPaths('/tmp/cache');
    const ports = { etcdClient: 1, etcdPeer: 2, apiServer: 3, controllerManager: 4, scheduler: 5, moto: 6 };
    const plain = componentSpecs(p, ports)['kube-apiserver'].args;
    const real = componentSpecs(p, ports, { realNodes: { advertiseAddress: VPC_GATEWAY } })['kube-apiserver'].args;
    expect(plain).toContain('--advertise-address=127.0.0.1');
    expect(plain).toContain('--endpoint-reconciler-type=none');
    expect(real).toContain(`--advertise-address=${VPC_GATEWAY}`);
    expect(real).toContain('--authorization-mode=Node,RBAC');
    expect(real).not.toContain('--authorization-mode=RBAC');
    expect(real).not.toContain('--advertise-address=127.0.0.1');
    expect(real.filter((a) => a.startsWith('--advertise-address='))).toHaveLength(1);
    expect(real.some((a) => a.startsWith('--egress-selector-config-file='))).toBe(true);
    expect(JSON.parse(egressSelectorConfig('/s/egress.sock'))).toMatchObject({ egressSelections: [{ name: 'cluster', connection: { proxyProtocol: 'HTTPConnect', transport: { uds: { udsName: '/s/egress.sock' } } } }] });
  });

  it('add-ons: CoreDNS at the cluster DNS address; the real shop pinned to real nodes, checkout on its NodePort, the database a VPC address', () => {
    const dns = corednsObjects('gameday.local/coredns:1');
    expect(dns.find((o) => o.kind === 'Service')).toMatchObject({ metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: CLUSTER_DNS } });
    const shop = realShopObjects('shop', 'gameday.local/shop:1');
    const svc = shop.find((o) => o.kind === 'Service' && o.metadata?.name === 'checkout') as { spec: { type: string; ports: { nodePort: number }[] } };
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.ports[0]!.nodePort).toBe(SHOP_NODE_PORT);
    const slice = shop.find((o) => o.kind === 'EndpointSlice') as { endpoints: { addresses: string[] }[] };
    expect(slice.endpoints[0]!.addresses).toEqual([DB_ADDRESS]);
    for (const d of shop.filter((o) => o.kind === 'Deployment') as { spec: { template: { spec: { nodeSelector: Record<string, string>; containers: { imagePullPolicy: string }[] } } } }[]) {
      expect(d.spec.template.spec.nodeSelector).toEqual({ 'gameday.dev/real-node': 'true' });
      expect(d.spec.template.spec.containers[0]!.imagePullPolicy).toBe('Never');
    }
  });

  it('preflight names every missing piece (a cache without the node binaries and images)', () => {
    const missing = realNodeRequirements(sandboxPaths('/nonexistent-gameday-cache'));
    expect(missing.some((m) => m.startsWith('kubelet: not built'))).toBe(true);
    expect(missing.some((m) => m.startsWith('image gameday.local/pause'))).toBe(true);
  });
});

describe('relay.mjs (a real process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gd-relay-'));
  const procs: ChildProcess[] = [];
  const servers: Server[] = [];
  afterAll(() => {
    for (const p of procs) p.kill('SIGKILL');
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const echoServer = async (tag: string): Promise<number> => {
    const port = await freePort();
    const s = createServer((c) => c.on('data', (d) => c.end(`${tag}:${String(d)}`)));
    servers.push(s);
    await new Promise<void>((r) => s.listen(port, '127.0.0.1', () => r()));
    return port;
  };
  const relay = async (args: string[]): Promise<void> => {
    const p = spawn(process.execPath, [RELAY_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(p);
    let out = '';
    p.stdout.on('data', (d) => (out += String(d)));
    const listens = args.filter((a) => a === '--listen' || a === '--connect-proxy').length;
    for (let i = 0; i < 100 && (out.match(/listening on/g) ?? []).length < listens; i++) await new Promise((r) => setTimeout(r, 50));
    expect((out.match(/listening on/g) ?? []).length).toBe(listens);
  };
  const ask = (opts: { port: number } | { path: string }, text: string): Promise<string> =>
    new Promise((resolve, reject) => {
      import('node:net').then(({ createConnection }) => {
        const c = 'port' in opts ? createConnection({ host: '127.0.0.1', port: opts.port }) : createConnection({ path: opts.path });
        let got = '';
        c.on('data', (d) => (got += String(d)));
        c.on('close', () => resolve(got));
        c.on('error', reject);
        c.write(text);
        setTimeout(() => c.destroy(), 5000);
      }, reject);
    });

  it('joins TCP and a unix socket both ways, round robin over targets, skipping one that refuses', async () => {
    const [a, b, refused, front] = [await echoServer('a'), await echoServer('b'), await freePort(), await freePort()];
    const sock = join(dir, 'front.sock');
    await relay(['--listen', `tcp:127.0.0.1:${front}`, '--to', `unix:${sock}`, '--listen', `unix:${sock}`, '--to', `tcp:127.0.0.1:${a},tcp:127.0.0.1:${refused},tcp:127.0.0.1:${b}`]);
    const answers = [await ask({ port: front }, 'x'), await ask({ port: front }, 'y'), await ask({ port: front }, 'z')];
    expect(answers).toEqual(['a:x', 'b:y', 'a:z']);
  });

  it('is an HTTP CONNECT proxy on a unix socket (the API server egress): 200 then a byte stream; 502 when the target refuses', async () => {
    const http = createHttpServer((_req, res) => res.end('hello through the tunnel'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const port = (http.address() as { port: number }).port;
    const sock = join(dir, 'egress.sock');
    await relay(['--connect-proxy', `unix:${sock}`]);
    const got = await ask({ path: sock }, `CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(got).toMatch(/^HTTP\/1\.1 200 Connection established\r\n\r\nHTTP\/1\.1 200 OK/);
    expect(got).toContain('hello through the tunnel');
    const refused = await freePort();
    expect(await ask({ path: sock }, `CONNECT 127.0.0.1:${refused} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 502 Bad Gateway/);
    expect(await ask({ path: sock }, 'GET / HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 405/);
    http.close();
  });
});
