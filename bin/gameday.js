#!/usr/bin/env node
// Thin launcher, CommonJS (bin/package.json): the CLI is compiled to dist/ (tsc) and bundled to
// dist/bundle/ (esbuild), both by `npm run build` (npm ci runs it through the prepare script).
//   --help, --version        text written at build time, printed without loading the CLI
//   list, show, validate,    the light CLI, dist/bundle/light.cjs: one CommonJS file, no ES
//   runbook                  module loader (src/cli/light.ts); it hands a cold run back
//   everything else          the full CLI, dist/bundle/main.js and its chunks (ES modules),
//                            or dist/cli/main.js (unbundled) when there is no bundle
// Builtins come through process.getBuiltinModule: the same module objects `require` gives.
'use strict';
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');
const { join } = process.getBuiltinModule('node:path');
const { pathToFileURL } = process.getBuiltinModule('node:url');

const dist = join(__dirname, '..', 'dist');
const argv = process.argv.slice(2);
// `gameday --help` and `--version` print text known at build time: loading commander and building
// the command table to print it was a quarter of their start-up (issue 15). The help was written
// by the build from that same table (main.ts, rootHelpText) at 80 columns, what commander prints
// to a pipe; a terminal narrower than that gets commander's own wrapping.
const rootHelp = join(dist, 'bundle', 'root-help.txt');
const only = argv.length === 1 ? argv[0] : undefined;
const narrowTerminal = process.stdout.isTTY && process.stdout.columns < 80;

async function launch() {
  if ((only === '--help' || only === '-h') && !narrowTerminal && existsSync(rootHelp)) {
    process.stdout.write(readFileSync(rootHelp, 'utf8'));
    return 0;
  }
  if (only === '--version' || only === '-V') {
    process.stdout.write(`${JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version}\n`);
    return 0;
  }
  // Node ≥ 22.1 keeps V8's compiled code of the CLI's modules between runs (in the OS temp folder,
  // keyed by content): measured on Node 22, `gameday list` used ≈ 10 ms less CPU. Node 20 lacks it.
  process.getBuiltinModule('node:module').enableCompileCache?.();
  const light = join(dist, 'bundle', 'light.cjs');
  if (LIGHT_COMMANDS.has(argv[0]) && existsSync(light)) {
    const code = await require(light).runLight(argv);
    if (code !== undefined) return code;
  }
  const bundled = join(dist, 'bundle', 'main.js');
  const entry = existsSync(bundled) ? bundled : join(dist, 'cli', 'main.js');
  if (!existsSync(entry)) {
    process.stderr.write('gameday: not built yet: run `npm run build` (npm ci does it for you)\n');
    return 2;
  }
  const { main } = await import(pathToFileURL(entry).href);
  return main(argv);
}
// the commands light.ts serves (its LIGHT_COMMANDS; a test checks the two agree)
const LIGHT_COMMANDS = new Set(['list', 'show', 'validate', 'runbook']);

launch().then(
  (code) => (process.exitCode = code),
  (e) => {
    // the CLI reports its own errors; this is a launcher or build problem
    process.stderr.write(`gameday: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 70;
  },
);
