/**
 * The sandbox's real node, as a player meets it: a Node that kubelet registered, the real shop's
 * pods running on it as processes, DNS from CoreDNS, `kubectl exec / logs / port-forward`, the
 * front door, `gameday sandbox shell`, and a killed pod whose process really goes away while its
 * replacement serves HTTP.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstRealNode, fromVpc, kubectl, onNode, viaFrontDoor } from '../helpers/sandbox/real-node.js';
import { kube, sandbox, waitUntil, withRealNodeNetwork, withShopCheckout } from '../helpers/sandbox/sandbox.js';

const BIN = resolve('bin/gameday.js');
let dir: string;

beforeAll(() => {
  if (!existsSync(resolve('dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'gd-real-node-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gameday = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 90_000 });

describe('a real node', () => {
  it('is a Node that kubelet registered, at its EC2 instance address, with the shop and CoreDNS running on it', async () => {
    const name = firstRealNode();
    const { core, apps } = await kube();
    const node = await core.readNode({ name });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status?.nodeInfo?.kubeletVersion).toBe('v1.34.4');
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\/1\./);
    const world = sandbox().world!;
    expect(node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address).toBe(world.privateIps[name]);
    expect(node.spec?.providerID).toBe(`aws:///${node.metadata?.labels?.['topology.kubernetes.io/zone']}/${world.instances[name]}`);
    const pods = (await core.listNamespacedPod({ namespace: 'shop' })).items;
    const checkout = pods.filter((p) => p.metadata?.labels?.app === 'checkout' && !p.metadata?.deletionTimestamp);
    expect(checkout.length).toBe(3);
    for (const p of checkout) {
      expect(p.spec?.nodeName).toBe(name);
      expect(p.status?.podIP).toMatch(/^10\.246\.\d+\.\d+$/);
    }
    const dns = await apps.readNamespacedDeployment({ name: 'coredns', namespace: 'kube-system' });
    expect(dns.status?.readyReplicas).toBe(1);
  });

  it('runs pods as processes: crictl in the node lists them, and the shell is the node', () => {
    const ps = gameday('sandbox', 'shell', firstRealNode(), '--', 'crictl', 'ps', '--name', 'checkout', '-q');
    expect(ps.status, ps.stderr).toBe(0);
    expect(ps.stdout.trim().split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(3);
    const host = gameday('sandbox', 'shell', firstRealNode(), '--', 'hostname');
    expect(host.stdout.trim()).toBe(firstRealNode());
    const addr = onNode(['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']);
    expect(addr.stdout).toContain(`${sandbox().world!.privateIps[firstRealNode()]}/16`);
  });

  // what needs the node's network whole takes turns with the files that break it (node.iptables)
  it('serves the shop through the front door: checkout calls catalog by name and reaches the database', () => withRealNodeNetwork(async () => {
    const res = await waitUntil('checkout to answer 200 through the front door', async () => {
      const r = await viaFrontDoor('/checkout');
      return 'status' in r && r.status === 200 ? r : undefined;
    }, 60_000, 500);
    const body = JSON.parse(res.body) as { pod: string; node: string; catalog?: unknown; db?: { ok: boolean } };
    expect(body.node).toBe(firstRealNode());
    expect(body.pod).toMatch(/^checkout-/);
    expect(body.db?.ok).toBe(true);
    expect(JSON.stringify(body.catalog)).toMatch(/catalog-/);
    // and from another host of the VPC, through the NodePort
    const viaNodePort = fromVpc(['busybox', 'timeout', '5', 'busybox', 'wget', '-qO-', `http://${sandbox().world!.privateIps[firstRealNode()]}:30080/checkout`]);
    expect(viaNodePort.status, viaNodePort.stderr).toBe(0);
    expect(viaNodePort.stdout).toContain('"node"');
  }));

  it('answers kubectl exec (DNS from CoreDNS), logs and port-forward', () => withRealNodeNetwork(() => withShopCheckout(async () => {
    const lookup = kubectl(['-n', 'shop', 'exec', 'deploy/checkout', '--', 'nslookup', 'catalog.shop.svc.cluster.local']);
    expect(lookup.status, lookup.stderr).toBe(0);
    expect(lookup.stdout).toMatch(/Address:?\s+10\.96\.\d+\.\d+/);
    const logs = kubectl(['-n', 'shop', 'logs', 'deploy/catalog', '--tail', '50']);
    expect(logs.status, logs.stderr).toBe(0);
    const pf = spawn(join(process.env.HOME ?? '/root', '.cache', 'gameday', 'bin', 'kubectl'), ['--kubeconfig', sandbox().kubeconfig, '--context', sandbox().kubeContext, '-n', 'shop', 'port-forward', 'deploy/catalog', ':8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      pf.stdout.on('data', (d) => (out += String(d)));
      const port = await waitUntil('port-forward to listen', async () => /127\.0\.0\.1:(\d+)/.exec(out)?.[1], 30_000, 100);
      const res = await fetch(`http://127.0.0.1:${port}/items`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('"pod"');
    } finally {
      pf.kill('SIGKILL');
    }
  })));

  it('kills a pod for real: its process is gone, and the replacement serves HTTP', () => withRealNodeNetwork(async () => {
    await withShopCheckout(async () => {
      const { core } = await kube();
      const pods = (await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=checkout' })).items.filter((p) => !p.metadata?.deletionTimestamp);
      // the PID of every checkout container, as the node sees it
      const pidOf = (podName: string): number => {
        const id = onNode(['crictl', 'ps', '-q', '--label', `io.kubernetes.pod.name=${podName}`]).stdout.trim().split('\n')[0] ?? '';
        const info = JSON.parse(onNode(['crictl', 'inspect', id]).stdout) as { info?: { pid?: number } };
        return info.info?.pid ?? 0;
      };
      const before = new Map(pods.map((p) => [p.metadata!.name!, pidOf(p.metadata!.name!)]));
      for (const pid of before.values()) expect(existsSync(`/proc/${pid}`)).toBe(true);
      const inject = gameday('inject', 'k8s.pod-kill', '--env', 'sandbox', '--target', 'namespace=shop,selector=app=checkout', '--param', 'count=1', '--yes');
      expect(inject.status, `${inject.stdout}\n${inject.stderr}`).toBe(0);
      const gone = await waitUntil('the killed pod to be gone', async () => {
        const now = new Set((await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=checkout' })).items.map((p) => p.metadata!.name!));
        return [...before.keys()].find((n) => !now.has(n));
      }, 60_000, 200);
      const killedPid = before.get(gone)!;
      await waitUntil(`process ${killedPid} of ${gone} to exit`, async () => !existsSync(`/proc/${killedPid}`), 30_000, 100);
      const replacement = await waitUntil('a Ready replacement', async () => {
        const now = (await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=checkout' })).items;
        return now.find((p) => !before.has(p.metadata!.name!) && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      }, 90_000, 250);
      const served = kubectl(['-n', 'shop', 'exec', replacement.metadata!.name!, '--', '/bin/busybox', 'timeout', '5', '/bin/busybox', 'wget', '-qO-', 'http://127.0.0.1:8080/checkout']);
      expect(served.status, served.stderr).toBe(0);
      expect((JSON.parse(served.stdout) as { pod: string }).pod).toBe(replacement.metadata!.name);
      console.log(`pod-kill on a real node: process ${killedPid} of ${gone} gone; replacement ${replacement.metadata!.name} serves HTTP`);
    });
  }));
});
