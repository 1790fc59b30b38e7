/**
 * The light CLI: `list`, `show`, `validate` and `runbook` on a warm run, built by
 * scripts/bundle.mjs as one CommonJS file, dist/bundle/light.cjs, that bin/gameday.js requires.
 * Why: on Node 20 an ES module entry costs its loader (≈ 3 ms before any of our code) and every
 * file of the split bundle its own resolve, read, compile and link (a dozen for `list`); one
 * CommonJS file with just these commands is read and compiled once (issue 15).
 *
 * It is the same code as the full CLI (main.ts's command table and runCommandLine), minus every
 * module these commands import only on a cold path: those imports fail (light-build.ts), and
 * runLight then answers `undefined`: the launcher runs the same command line in the full CLI.
 * Output is held until the command has finished, so a run handed over has printed nothing.
 */
import type { Output } from './context.js';
import { isNotInLightBuild } from './light-build.js';
import { runCommandLine } from './main.js';
import { processOutput, stdinIsTerminal } from './output.js';

/** The commands the light build serves (when the command line starts with one of them). */
export const LIGHT_COMMANDS: readonly string[] = ['list', 'show', 'validate', 'runbook'];

/** The exit code, or undefined when the command needs the full CLI (nothing was printed). */
export async function runLight(argv: string[]): Promise<number | undefined> {
  const real = processOutput();
  const held: (() => void)[] = [];
  const out: Output = {
    line: (t) => void held.push(() => real.line(t)),
    error: (t) => void held.push(() => real.error(t)),
    write: (t) => void held.push(() => real.write(t)),
    isTTY: real.isTTY,
    color: real.color,
  };
  try {
    // read-only commands: no signal handlers (Ctrl-C simply ends the process)
    const code = await runCommandLine(argv, {
      out,
      signal: new AbortController().signal,
      cwd: process.cwd(),
      get stdinIsTTY() {
        return stdinIsTerminal();
      },
    });
    for (const print of held) print();
    return code;
  } catch (e) {
    if (isNotInLightBuild(e)) return undefined;
    throw e;
  }
}
