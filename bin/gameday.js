#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ (tsc) and bundled to dist/bundle/ (esbuild), both by
// `npm run build` (npm ci runs it through the prepare script). The bundle starts faster (a few
// files instead of ~150 modules, scripts/bundle.mjs); dist/ is the fallback when it is absent.
import { existsSync } from 'node:fs';
import module from 'node:module';
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
  process.exitCode = await main(process.argv.slice(2));
}
