/**
 * Runs `gameday …` inside the test process (src/cli/main.ts's runCommandLine): the same command
 * table, error reporting and exit codes as the binary, without a process per case, so property
 * tests can try thousands of command lines in seconds. Each run is bounded: a run that has not
 * finished after `timeoutMs` is reported as a hang (code -1).
 */
import { runCommandLine } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/context.js';

export interface InProcessResult {
  /** the exit code, or -1 when the run did not finish in time */
  code: number;
  stdout: string;
  stderr: string;
}

export async function gamedayInProcess(argv: string[], opts: { cwd: string; timeoutMs?: number }): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  const out: Output = {
    line: (t = '') => void (stdout += `${t}\n`),
    error: (t) => void (stderr += `${t}\n`),
    write: (t) => void (stdout += t),
    isTTY: false,
    color: false,
  };
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('test timeout'));
      resolve(-1);
    }, opts.timeoutMs ?? 10_000);
  });
  try {
    const code = await Promise.race([runCommandLine(argv, { out, signal: controller.signal, cwd: opts.cwd, stdinIsTTY: false }), hang]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
