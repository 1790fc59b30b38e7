/**
 * Integration global setup: one sandbox for the whole run, started through src/sandbox (the same
 * code as `gameday sandbox up`), or the running one reused when it is healthy. Its coordinates go to
 * tests via provide/inject (helpers/sandbox.ts) and, for child processes, GAMEDAY_SANDBOX_* env vars.
 * If a backend cannot start, this throws with the reason and the run fails — nothing is skipped.
 * The sandbox is left running afterwards so the next run (and other developers' runs) start in
 * seconds; set GAMEDAY_SANDBOX_TEARDOWN=1 to stop it at the end when this run started it.
 * AWS isolation: tests that mutate AWS start their own moto server per file (helpers/moto.ts).
 */
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { describeError, isGamedayError } from '../../src/core/errors.js';
import { sandboxDown, sandboxUp } from '../../src/sandbox/sandbox.js';
import '../helpers/sandbox/sandbox.js';

/**
 * The host's own network as the tests must leave it: routes, addresses, links and both iptables
 * backends' rules (counters and the generation timestamp dropped). Real sandbox nodes and every
 * node-level fault live in network namespaces of the sandbox's own: this must not change.
 */
export function hostNetworkSnapshot(): string {
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
    return `$ ${cmd} ${args.join(' ')}\n${r.stdout ?? ''}${r.status === 0 ? '' : `(exit ${r.status}) ${r.stderr ?? ''}`}`;
  };
  const rules = (save: string) => run(save, []).split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/g, '')).join('\n');
  return [run('ip', ['route', 'show', 'table', 'all']), run('ip', ['-o', 'addr']), run('ip', ['-o', 'link']).replace(/\s+link\/\S+ \S+ brd \S+/g, ''), rules('iptables-nft-save'), rules('iptables-legacy-save')].join('\n');
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (m: string) => process.stderr.write(`[sandbox] ${m}\n`);
  const hostNetworkBefore = hostNetworkSnapshot();
  // Ctrl-C while the sandbox starts: stop what was started (nothing is left orphaned)
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let res;
  try {
    res = await sandboxUp({ onProgress: log, signal: abort.signal });
  } catch (e) {
    const hint = isGamedayError(e) && e.hint ? `\nhint: ${e.hint}` : '';
    throw new Error(`the integration sandbox could not start — integration tests cannot run without it:\n${isGamedayError(e) ? e.message : describeError(e)}${hint}`, { cause: e });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  log(`${res.reused ? 'reusing the running sandbox' : `started in ${res.seconds.toFixed(1)} s`}: ${res.info.apiServer}, AWS ${res.info.aws.endpoint}, kubeconfig ${res.info.kubeconfig}`);
  project.provide('sandbox', res.info);
  process.env.GAMEDAY_SANDBOX_KUBECONFIG = res.info.kubeconfig;
  process.env.GAMEDAY_SANDBOX_CONTEXT = res.info.kubeContext;
  process.env.GAMEDAY_SANDBOX_AWS_ENDPOINT = res.info.aws.endpoint;
  const startedHere = !res.reused;
  return async () => {
    if (startedHere && process.env.GAMEDAY_SANDBOX_TEARDOWN === '1') await sandboxDown();
    const after = hostNetworkSnapshot();
    if (after !== hostNetworkBefore) {
      const before = hostNetworkBefore.split('\n');
      const diff = after.split('\n').filter((l) => !before.includes(l)).concat(before.filter((l) => !after.split('\n').includes(l)).map((l) => `(gone) ${l}`));
      throw new Error(`the host's own network changed during the test run (routes, addresses, links or iptables rules):\n${diff.slice(0, 20).join('\n')}`);
    }
    log('the host network (routes, addresses, links, iptables-nft and -legacy rules) is as it was before the run');
  };
}
