// ESLint plugin `seam`, rule `platform-layers`: the platform's internal layering,
// enforced. Each file of modules/platform/src belongs to a layer; a file may
// import its own layer and the ones below, never one above, and no import may
// close a cycle (within a layer, where imports are allowed both ways). The
// test helpers (testing/) and process launchers (processes/) sit outside the
// layers: they may import anything, and nothing in the layers may import them.
// See docs/architecture.md ("The platform's layers").
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** LAYERS, lowest first: [name, test on the path relative to src/]. */
export const LAYERS = [
  [
    'core',
    (p) =>
      ['errors.ts', 'logger.ts', 'scope.ts', 'money.ts', 'cursor.ts', 'tracing.ts'].includes(p),
  ],
  ['config', (p) => ['config.ts', 'topology.ts'].includes(p)],
  ['database', (p) => ['database.ts', 'pglite-template.ts'].includes(p)],
  [
    'contracts',
    (p) =>
      ['contract.ts', 'events/define.ts', 'auth.ts', 'operations.ts', 'client.ts'].includes(p) ||
      p.startsWith('remote/'),
  ],
  ['http', (p) => p.startsWith('http/')],
  ['events', (p) => p.startsWith('events/')],
  [
    'host',
    (p) =>
      [
        'module.ts',
        'module-graph.ts',
        'host.ts',
        'run-main.ts',
        'index.ts',
        'telemetry.ts',
      ].includes(p) || p.startsWith('host/'),
  ],
];

const TOOLS = ['testing/', 'processes/'];

function platformPath(file) {
  const rel = relative(SRC, file).split(sep).join('/');
  return rel.startsWith('..') ? undefined : rel;
}

function isTest(rel) {
  return /\.test(-d)?\.ts$/.test(rel);
}

function layerOf(rel) {
  const index = LAYERS.findIndex(([, test]) => test(rel));
  return index === -1 ? undefined : index;
}

function resolveImport(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(fromFile), specifier.replace(/\.js$/, '.ts'));
  if (existsSync(base) && statSync(base).isFile()) return base;
  if (existsSync(`${base}.ts`)) return `${base}.ts`;
  if (existsSync(join(base, 'index.ts'))) return join(base, 'index.ts');
  return base;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** graph maps each layered platform file to the layered files it imports (read from disk once). */
let cachedGraph;
function graph() {
  if (cachedGraph) return cachedGraph;
  cachedGraph = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const rel = platformPath(path);
        if (isTest(rel) || layerOf(rel) === undefined) continue;
        const targets = new Set();
        for (const match of readFileSync(path, 'utf8').matchAll(IMPORT)) {
          const target = resolveImport(path, match[1] ?? match[2]);
          if (target && layerOf(platformPath(target) ?? '') !== undefined) targets.add(target);
        }
        cachedGraph.set(path, targets);
      }
    }
  };
  walk(SRC);
  return cachedGraph;
}

/** pathBetween finds an import path from `start` to `goal` in the graph, or undefined. */
function pathBetween(start, goal, skip) {
  const edges = graph();
  const seen = new Set([start]);
  const queue = [[start]];
  while (queue.length > 0) {
    const path = queue.shift();
    const last = path.at(-1);
    if (last === goal) return path;
    if (last === skip) continue;
    for (const next of edges.get(last) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push([...path, next]);
      }
    }
  }
  return undefined;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: "Keep the platform's layers: no upward import, no import cycle" },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const rel = platformPath(file);
    if (rel === undefined || isTest(rel) || TOOLS.some((t) => rel.startsWith(t))) return {};
    const own = layerOf(rel);
    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return;
      const target = resolveImport(file, specifier);
      const targetRel = target && platformPath(target);
      if (targetRel === undefined) return;
      if (TOOLS.some((t) => targetRel.startsWith(t))) {
        context.report({
          node,
          message: `${rel} must not import the platform's tools (${targetRel})`,
        });
        return;
      }
      const theirs = layerOf(targetRel);
      if (own === undefined || theirs === undefined) {
        context.report({
          node,
          message: `${own === undefined ? rel : targetRel} belongs to no platform layer; add it to LAYERS in modules/platform/lint/layers.mjs`,
        });
        return;
      }
      if (theirs > own) {
        context.report({
          node,
          message: `Upward import: ${rel} (layer ${LAYERS[own][0]}) imports ${targetRel} (layer ${LAYERS[theirs][0]}); the platform's layers are ${LAYERS.map(([n]) => n).join(' → ')}`,
        });
        return;
      }
      const back = pathBetween(target, file, undefined);
      if (back) {
        const names = [file, ...back].map((p) => platformPath(p)).join(' → ');
        context.report({ node, message: `Import cycle: ${names}` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { 'platform-layers': rule } };
