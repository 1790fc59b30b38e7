// What the sandbox benches share: their flags, the cache and sandbox they run against, kubectl
// against it, and medians. Each bench prints its own table.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
/** `--name value` from the command line, or the default. */
export const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
export const flag = (name) => args.includes(name);
export const cache = process.env.GAMEDAY_CACHE ?? join(homedir(), '.cache', 'gameday');
export const KUBECTL = join(cache, 'bin', 'kubectl');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The median of the finite values (NaN when there are none). */
export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The running sandbox's environment (as `gameday sandbox up` registered it), or exit 2 saying how to start one. */
export function sandboxEnvironment(bench, upArgs = '') {
  try {
    return JSON.parse(readFileSync(join(cache, 'sandbox', 'environment.json'), 'utf8'));
  } catch {
    console.error(`bench/${bench}: no sandbox under ${cache}: run \`gameday sandbox up${upArgs ? ` ${upArgs}` : ''}\` first (GAMEDAY_CACHE picks the cache)`);
    process.exit(2);
  }
}

/** kubectl against the sandbox: its arguments, and a call that returns stdout or throws with stderr. */
export function kubectlFor(sandboxEnv) {
  const kubeArgs = ['--kubeconfig', sandboxEnv.kube.kubeconfig, '--context', sandboxEnv.kube.context];
  const kubectl = (...a) => {
    const r = spawnSync(KUBECTL, [...kubeArgs, ...a], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`kubectl ${a.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  return { kubeArgs, kubectl };
}

/**
 * An opted-in namespace with one Deployment `bench` of `replicas` pods (label app=bench) on the
 * kwok nodes, as a kubectl List: pods that are Running at once and cost no container.
 */
export function kwokBenchDeployment(namespace, replicas, { graceSeconds } = {}) {
  const labels = { app: 'bench' };
  const podSpec = {
    ...(graceSeconds !== undefined ? { terminationGracePeriodSeconds: graceSeconds } : {}),
    nodeSelector: { type: 'kwok' },
    tolerations: [{ key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' }],
    containers: [{ name: 'app', image: 'registry.example/fake:1' }],
  };
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'gameday.dev/enabled': 'true' } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bench', namespace, labels }, spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } } },
    ],
  };
}
