/**
 * Integration global setup: one sandbox for the whole run, started through src/sandbox (the same
 * code as `gameday sandbox up`), or the running one reused when it is healthy. Its coordinates go to
 * tests via provide/inject (helpers/sandbox.ts) and, for child processes, GAMEDAY_SANDBOX_* env vars.
 * If a backend cannot start, this throws with the reason and the run fails — nothing is skipped.
 * The sandbox is left running afterwards so the next run (and other developers' runs) start in
 * seconds; set GAMEDAY_SANDBOX_TEARDOWN=1 to stop it at the end when this run started it.
 * AWS isolation: tests that mutate AWS start their own moto server per file (helpers/moto.ts).
 */
import type { TestProject } from 'vitest/node';
import { describeError, isGamedayError } from '../../src/core/errors.js';
import { sandboxDown, sandboxUp } from '../../src/sandbox/sandbox.js';
import './helpers/sandbox.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (m: string) => process.stderr.write(`[sandbox] ${m}\n`);
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
  };
}
