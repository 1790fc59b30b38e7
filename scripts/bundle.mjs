#!/usr/bin/env node
// The bundled CLI that bin/gameday.js runs when it is there: dist/bundle/main.js and its chunks,
// built from src/ by esbuild after `tsc` (npm run build). Why: Node 20 resolves and compiles each
// ES module file on its own, and `list` loaded some 150 of them (ours, yaml, zod, commander) —
// most of its start-up. One file per command path cuts that to a handful.
//
// The heavy clients stay outside the main bundle and load only when a command needs them: the AWS
// SDK, chalk and inquirer from node_modules, exactly as in dist/; the Kubernetes client from a
// bundle of its own, dist/bundle/kube-client.js (below). The light-imports test refuses both.
//
// Paths: a few modules find files next to their compiled selves with `import.meta.url`
// (package.json, shell scripts, bin/gameday.js). In a chunk that URL would be the chunk's, so each
// module's `import.meta.url` is rewritten to the URL its compiled file has in dist/ — relative to
// the chunk, so the tree can move. Every chunk sits in dist/bundle/, one level below dist/.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = `${root}src/`;

/**
 * Our own sources, as esbuild reads them, with two rewrites:
 *
 * import.meta.url → the URL of this module's compiled twin in dist/, from the chunk's own URL.
 *
 * `import { readFileSync } from 'node:fs'` → `const { readFileSync } = process.getBuiltinModule('node:fs')`
 * (Node ≥ 20.16): an import of a builtin makes Node build an ES-module facade of all of it,
 * reading every export — and fs's lazy `ReadStream` getter then loads all of streams: ≈ 1.8 ms of
 * `gameday list`'s start-up (issue 15). The destructuring reads only the names the module uses.
 * (Our sources import builtins only by name, one import per line; the test on the bundle's text
 * keeps it so.)
 */
const ourSources = {
  name: 'our-sources',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, async (args) => {
      let text = (await readFile(args.path, 'utf8')).replace(BUILTIN_IMPORT, builtinDestructuring);
      if (text.includes('import.meta.url')) {
        const twin = `../${relative(src, args.path).replace(/\.ts$/, '.js')}`;
        text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(twin)}, import.meta.url).href`);
      }
      return { contents: text, loader: 'ts' };
    });
  },
};
const BUILTIN_IMPORT = /^import \{([^}]*)\} from '(node:[\w/]+)';$/gm;
function builtinDestructuring(_line, names, builtin) {
  const values = names
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n && !n.startsWith('type '))
    .map((n) => n.replace(/^(\w+) as (\w+)$/, '$1: $2'));
  return values.length ? `const { ${values.join(', ')} } = process.getBuiltinModule('${builtin}');` : '';
}

/** The id of this build: a hash of every source file and the lock file (keys the scenario cache). */
async function sourceHash() {
  const { createHash } = await import('node:crypto');
  const { readdir } = await import('node:fs/promises');
  const h = createHash('sha256');
  const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts')).sort();
  for (const f of [...files.map((f) => `src/${f}`), 'package-lock.json']) h.update(f).update('\0').update(await readFile(`${root}${f}`)).update('\0');
  return h.digest('hex').slice(0, 16);
}

/**
 * zod's `z.locales` namespace holds the error messages of ~60 languages; gameday uses English only
 * (zod itself imports en.js directly). Kept whole, they were a third of the zod chunk that every
 * light command compiles. The namespace keeps `en`, so `z.locales.en()` still works.
 */
const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export { default as en } from "./en.js";', loader: 'js', resolveDir: `${root}node_modules/zod/v4/locales` }));
  },
};

/**
 * commander requires child_process when it loads, for "executable" subcommands (git-style
 * `gameday-<name>` programs), which gameday does not have. Loading it was ≈ 1.4 ms of every
 * command's start-up; it is now required the first time commander would spawn, i.e. never.
 */
const commanderLazySpawn = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error(`${args.path}: expected \`${eager}\` (commander changed: review the commander-lazy-child-process plugin)`);
      return { contents: text.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};

/** `import('@kubernetes/client-node')` (the one in adapters/kube/client.ts) → the bundled client beside the chunks */
const kubeClientFile = {
  name: 'kube-client-file',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, (a) => (a.kind === 'dynamic-import' ? { path: './kube-client.js', external: true } : undefined));
  },
};

/**
 * The light build (src/cli/light.ts) keeps only what a warm `list`, `show`, `validate` or
 * `runbook` runs: every other dynamic import — the other commands, the configuration, the
 * scenario checker (zod, yaml) and the fault kinds' registry, the heavy clients — becomes a
 * module that fails with notInLightBuild, and the launcher hands the command line to the full CLI.
 */
const LIGHT_KEEPS = /^\.\/commands\/(list|show|validate|runbook)\.js$/; // as main.ts imports them
const lightOnly = {
  name: 'light-only',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) => {
      if (a.kind !== 'dynamic-import' || a.namespace === 'left-out') return undefined;
      if (LIGHT_KEEPS.test(a.path) && /[\\/]src[\\/]cli[\\/]main\.ts$/.test(a.importer)) return undefined;
      return { path: a.path, namespace: 'left-out', pluginData: { importer: a.importer } };
    });
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, (a) => ({
      contents: `import { notInLightBuild } from ${JSON.stringify(`${src}cli/light-build.ts`)};\nthrow notInLightBuild(${JSON.stringify(a.path)});\nexport {};\n`,
      loader: 'js',
      resolveDir: root,
    }));
  },
};

const started = Date.now();
const buildId = await sourceHash();
// chunk names change with their contents: old ones would pile up beside the new
await rm(`${root}dist/bundle`, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // heavy: loaded from node_modules on demand, never bundled (see the light-imports test)
  external: ['@kubernetes/client-node', '@aws-sdk/*', '@smithy/*', 'chalk', '@inquirer/*'],
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
  legalComments: 'none',
  // less source to scan: module compilation was the largest cost of a warm `list`
  minifyWhitespace: true,
  minifySyntax: true,
  // commander is CommonJS: its require('node:events') needs a require in an ES module (taken
  // without an import, like every builtin here: see ourSources)
  banner: { js: "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
  define: { __GAMEDAY_BUILD__: JSON.stringify(buildId) },
  plugins: [ourSources, englishOnly, commanderLazySpawn, kubeClientFile],
});
// The light CLI, one CommonJS file (src/cli/light.ts): no ES module loader, one file to read and
// compile. Same build id and the same source rewrites as the main bundle; its `import.meta.url`
// is the file's own URL (the rewrites make each module's relative to its twin in dist/).
const light = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/light.ts'],
  outfile: 'dist/bundle/light.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['@kubernetes/client-node', '@aws-sdk/*', '@smithy/*', 'chalk', '@inquirer/*'],
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  banner: { js: "const __lightUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  metafile: true,
  define: { __GAMEDAY_BUILD__: JSON.stringify(buildId), 'import.meta.url': '__lightUrl' },
  plugins: [ourSources, commanderLazySpawn, lightOnly],
});
const lightBytes = Object.values(light.metafile.outputs)[0].bytes;
// The Kubernetes client, bundled on its own: imported from node_modules it is ~1,000 module files
// and most of the time before an inject's first API call (≈ 0.7 s against ≈ 0.2 s bundled, Node 20,
// 2 cores). Still loaded only when a command needs it: src/adapters/kube/client.ts imports it
// dynamically, and the main bundle points that import here (kubeClientFile below).
await build({
  absWorkingDir: root,
  stdin: { contents: "export * from '@kubernetes/client-node';", resolveDir: root, loader: 'js', sourcefile: 'kube-client.js' },
  outfile: 'dist/bundle/kube-client.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // fully minified: 5 MB of source to compile otherwise, the largest cost left before the first call
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'error',
  banner: { js: "import { createRequire as __gamedayRequire } from 'node:module'; const require = __gamedayRequire(import.meta.url);" },
});
// The root help, printed by bin/gameday.js without loading the bundle (main.ts, rootHelpText)
const { rootHelpText } = await import(`${root}dist/bundle/main.js`);
await writeFile(`${root}dist/bundle/root-help.txt`, rootHelpText());
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
process.stdout.write(`bundle: dist/bundle/ (${files.length} files, light.cjs of ${Math.round(lightBytes / 1024)} KiB and kube-client.js) in ${Date.now() - started} ms\n`);
