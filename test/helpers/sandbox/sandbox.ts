/**
 * The running sandbox, as the integration tests see it. The global setup (test/integration/global-setup.ts)
 * starts it — or reuses a healthy one — through src/sandbox (the same code as `gameday sandbox up`) and
 * provides its coordinates; tests read them with sandbox() and get clients from here.
 */
import { inject } from 'vitest';
import type { Environment } from '../../../src/core/environment.js';
import { environmentSpec } from '../../../src/core/environment.js';
import { environmentRegistration, type SandboxInfo } from '../../../src/sandbox/sandbox.js';

declare module 'vitest' {
  export interface ProvidedContext {
    sandbox: SandboxInfo;
  }
}

export function sandbox(): SandboxInfo {
  const info = inject('sandbox');
  if (!info) throw new Error('the integration global setup did not provide the sandbox (test/integration/global-setup.ts)');
  return info;
}

/** The `sandbox` environment exactly as the config loader would build it. */
export function sandboxEnvironment(): Environment {
  return { ...environmentSpec.parse(environmentRegistration(sandbox())), name: 'sandbox' };
}

export async function kube() {
  const k8s = await import('@kubernetes/client-node');
  const info = sandbox();
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  kc.setCurrentContext(info.kubeContext);
  return { k8s, kc, core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
}

/** Polls check until it returns a value (not undefined/false), at most timeoutMs. */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export const randomSuffix = (): string => Math.random().toString(36).slice(2, 8);

/**
 * Runs `fn` while no other test file is killing pods of the shared `shop/checkout` Deployment.
 * Test files run in parallel, and a replacement created by someone else's kill is
 * indistinguishable from one's own (the ReplicaSet does not say which pod a new one replaces), so
 * the tests that kill shop/checkout pods — the issues' own commands — take turns.
 */
export async function withShopCheckout<T>(fn: () => Promise<T>): Promise<T> {
  return withSandboxTestLock('shop-checkout', fn, 5 * 60_000);
}

/**
 * Runs `fn` while no other test file applies node-level faults: every node.iptables test now lands
 * on the sandbox's real node, and one file's DNS blackhole would break another's "traffic flows"
 * check. The files that inject node.iptables take turns.
 */
export async function withRealNodeNetwork<T>(fn: () => Promise<T>): Promise<T> {
  return withSandboxTestLock('real-node-network', fn, 10 * 60_000);
}

/**
 * A lock of the sandbox the tests run against (in its cache directory), not of the machine: two
 * sandboxes side by side (another checkout's tests, a CI run) do not wait for each other.
 */
async function withSandboxTestLock<T>(name: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const { withLock } = await import('../../../src/sandbox/lock.js');
  const { sandboxPaths } = await import('../../../src/sandbox/paths.js');
  const { join } = await import('node:path');
  return withLock(join(sandboxPaths().cache, `.tests-${name}.lock`), fn, { timeoutMs });
}
