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

/** import.meta.url → the URL of this module's compiled twin in dist/, from the chunk's own URL */
const distUrls = {
  name: 'dist-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
      const twin = `../${relative(src, args.path).replace(/\.ts$/, '.js')}`;
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(twin)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

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

/** `import('@kubernetes/client-node')` (the one in adapters/kube/client.ts) → the bundled client beside the chunks */
const kubeClientFile = {
  name: 'kube-client-file',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, (a) => (a.kind === 'dynamic-import' ? { path: './kube-client.js', external: true } : undefined));
  },
};

const started = Date.now();
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
  // commander is CommonJS: its require('node:events') needs a require in an ES module
  banner: { js: "import { createRequire as __gamedayRequire } from 'node:module'; const require = __gamedayRequire(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
  define: { __GAMEDAY_BUILD__: JSON.stringify(await sourceHash()) },
  plugins: [distUrls, englishOnly, kubeClientFile],
});
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
process.stdout.write(`bundle: dist/bundle/ (${files.length} files and kube-client.js) in ${Date.now() - started} ms\n`);
