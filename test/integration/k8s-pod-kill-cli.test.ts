/**
 * The exact command, through the real CLI against the sandbox's `shop`:
 *   gameday inject k8s.pod-kill --env sandbox --target namespace=shop,selector=app=checkout --param count=2 --yes
 * Exactly the 2 journaled pods are deleted, their replacements become Ready, and the journal holds
 * each one's recovery times.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kube, waitUntil, withShopCheckout } from '../helpers/sandbox/sandbox.js';

const BIN = resolve('bin/gameday.js');
let dir: string;
beforeAll(() => {
  if (!existsSync(resolve('dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'gd-podkill-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ev {
  type: string;
  record?: { faultId: string; undo: { pod: string; uid: string } };
  faultId?: string;
  detail?: Record<string, unknown>;
}

it('gameday inject k8s.pod-kill … count=2: exactly 2 checkout pods go, replacements Ready, recovery times journaled', () => withShopCheckout(async () => {
  const { core, apps } = await kube();
  const checkoutReady = async () => {
    const d = await apps.readNamespacedDeployment({ name: 'checkout', namespace: 'shop' });
    const pods = (await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=checkout' })).items;
    return (d.status?.readyReplicas ?? 0) === 3 && pods.length === 3 && pods.every((p) => !p.metadata?.deletionTimestamp);
  };
  await waitUntil('checkout 3/3 before', checkoutReady, 60_000);

  const r = spawnSync(process.execPath, [BIN, 'inject', 'k8s.pod-kill', '--env', 'sandbox', '--target', 'namespace=shop,selector=app=checkout', '--param', 'count=2', '--yes'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);

  const drills = join(dir, '.gameday', 'drills');
  const file = readdirSync(drills).find((f) => f.includes('pod-kill'))!;
  const events = readFileSync(join(drills, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev);
  const intents = events.filter((e) => e.type === 'fault-intent');
  expect(intents).toHaveLength(2);
  expect(events.filter((e) => e.type === 'fault-injected')).toHaveLength(2);
  const killed = intents.map((e) => e.record!.undo.uid);
  const now = (await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=checkout' })).items;
  expect(now.filter((p) => killed.includes(p.metadata!.uid!) && !p.metadata?.deletionTimestamp)).toEqual([]);

  const observed = events.filter((e) => e.type === 'fault-observed').map((e) => e.detail!);
  expect(observed).toHaveLength(2);
  for (const o of observed) {
    console.log(`journaled recovery: ${o.pod} → ${o.replacement}: scheduled +${o.scheduledAfterMs} ms, Ready +${o.readyAfterMs} ms (${o.precision})`);
    expect(o).toMatchObject({ owner: 'Deployment checkout', replacement: expect.stringMatching(/^shop\/checkout-/), precision: 'watch' });
    expect(typeof o.readyAfterMs).toBe('number');
  }
  expect(new Set(observed.map((o) => o.replacement)).size).toBe(2);
  await waitUntil('checkout 3/3 after', checkoutReady, 60_000);
}));
