#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ (tsc) and bundled to dist/bundle/ (esbuild), both by
// `npm run build` (npm ci runs it through the prepare script). The bundle starts faster (a few
// files instead of ~150 modules, scripts/bundle.mjs); dist/ is the fallback when it is absent.
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';

const argv = process.argv.slice(2);
// `gameday --help` and `--version` print text known at build time: loading commander and building
// the command table to print it was a quarter of their start-up (issue 15). The help was written
// by the build from that same table (main.ts, rootHelpText) at 80 columns, what commander prints
// to a pipe; a terminal narrower than that gets commander's own wrapping.
const rootHelp = new URL('../dist/bundle/root-help.txt', import.meta.url);
const only = argv.length === 1 ? argv[0] : undefined;
const narrowTerminal = process.stdout.isTTY && process.stdout.columns < 80;
if ((only === '--help' || only === '-h') && !narrowTerminal && existsSync(rootHelp)) {
  process.stdout.write(readFileSync(rootHelp, 'utf8'));
} else if (only === '--version' || only === '-V') {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  // Node ≥ 22.1 keeps V8's compiled code of the CLI's modules between runs (in the OS temp folder,
  // keyed by content): measured on Node 22, `gameday list` used ≈ 10 ms less CPU. Node 20 lacks it.
  module.enableCompileCache?.();
  const bundled = new URL('../dist/bundle/main.js', import.meta.url);
  const entry = existsSync(bundled) ? bundled : new URL('../dist/cli/main.js', import.meta.url);
  if (!existsSync(entry)) {
    process.stderr.write('gameday: not built yet: run `npm run build` (npm ci does it for you)\n');
    process.exitCode = 2;
  } else {
    const { main } = await import(entry.href);
    process.exitCode = await main(argv);
  }
}
