/**
 * The layering of src/, enforced: each top-level folder may import only the folders below it
 * (src/README.md draws the picture), and no module may reach itself again through its imports.
 * A local ESLint plugin rather than a dependency: the rule is twenty lines of policy and the
 * import graph of a few hundred files is cheap to read once per lint run.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** What each folder of src/ may import besides itself. Keep in step with src/README.md. */
export const LAYERS = {
  core: [],
  ports: ['core'],
  adapters: ['core', 'ports'],
  probes: ['core', 'ports'],
  injectors: ['core', 'ports'],
  report: ['core'],
  runner: ['core', 'ports', 'adapters', 'injectors'],
  drill: ['core', 'ports', 'adapters', 'injectors', 'probes', 'runner'],
  sandbox: ['core', 'ports', 'adapters'],
  cli: ['core', 'ports', 'adapters', 'injectors', 'probes', 'runner', 'drill', 'report', 'sandbox'],
};

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** src/<layer>/… → layer, or undefined for files outside src/ */
function layerOf(file, srcDir) {
  const rel = relative(srcDir, file);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(/[\\/]/);
  return parts.length > 1 ? parts[0] : undefined;
}

const toSource = (spec, fromFile) => resolve(dirname(fromFile), spec).replace(/\.js$/, '.ts');

function findSrc(file) {
  let dir = dirname(file);
  while (dir !== dirname(dir)) {
    if (dir.endsWith(`${join('/', 'src')}`) || dir.endsWith('\\src')) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

function importSpec(node) {
  const src = node.source;
  return src && typeof src.value === 'string' && src.value.startsWith('.') ? src.value : undefined;
}

const allowedImports = {
  meta: { type: 'problem', schema: [], messages: { crossed: 'src/{{from}} may not import src/{{to}} (allowed: {{allowed}}): see src/README.md' } },
  create(context) {
    const file = context.filename;
    const srcDir = findSrc(file);
    const from = srcDir && layerOf(file, srcDir);
    if (!from || !Object.hasOwn(LAYERS, from)) return {};
    const check = (node) => {
      const spec = importSpec(node);
      if (!spec) return;
      const to = layerOf(toSource(spec, file), srcDir);
      if (!to || to === from || LAYERS[from].includes(to)) return;
      context.report({ node, messageId: 'crossed', data: { from, to, allowed: LAYERS[from].join(', ') || 'nothing but itself' } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

/** The import graph of every .ts file under src/, read once per lint run. */
const graphs = new Map();
function graphOf(srcDir) {
  if (graphs.has(srcDir)) return graphs.get(srcDir);
  const graph = new Map();
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        graph.set(p, [...text.matchAll(IMPORT)].map((m) => toSource(m[1] ?? m[2], p)));
      }
    }
  };
  walk(srcDir);
  graphs.set(srcDir, graph);
  return graph;
}

/** A path of imports from `start` back to `target`, or undefined (depth-first, each file once). */
function pathBack(graph, start, target) {
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length) {
    const [at, path] = stack.pop();
    if (at === target) return path;
    if (seen.has(at)) continue;
    seen.add(at);
    for (const next of graph.get(at) ?? []) stack.push([next, [...path, next]]);
  }
  return undefined;
}

const noCycle = {
  meta: { type: 'problem', schema: [], messages: { cycle: 'import cycle: {{path}}' } },
  create(context) {
    const file = context.filename;
    const srcDir = findSrc(file);
    if (!srcDir) return {};
    const check = (node) => {
      const spec = importSpec(node);
      if (!spec) return;
      const graph = graphOf(srcDir);
      const back = pathBack(graph, toSource(spec, file), file);
      if (back) context.report({ node, messageId: 'cycle', data: { path: [file, ...back].map((f) => relative(srcDir, f)).join(' → ') } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default { meta: { name: 'gameday-layers' }, rules: { 'allowed-imports': allowedImports, 'no-cycle': noCycle } };
