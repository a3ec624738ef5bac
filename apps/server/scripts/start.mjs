// `npm start` and `npm run db:migrate`: run the server (or the migrations) from
// one prebuilt ES module instead of transpiling a few hundred TypeScript files at
// every start. The bundle (apps/server/dist, ignored by git) holds the workspace's
// own code and the pure-ES npm packages of BUNDLED; other npm packages stay
// imports. What is loaded only when used (PGlite's driver, the NATS client, the
// console build) is a chunk of its own (apps/server/dist/chunks), so a process
// that does not use it never loads it. It is rebuilt with esbuild, in about a
// second, whenever a file it was built from (or package-lock.json) is newer than
// it or gone, so a fresh clone, a pull or an edit never runs stale code.
//
//   node apps/server/scripts/start.mjs [server|migrate|gateway]
//   node apps/server/scripts/start.mjs build     (every bundle, then exit: the image build)
//
// The operator console page (apps/console, built by Vite) is built the same way:
// before the server or the gateway starts, and by `build`, when it is stale.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENTRIES = {
  server: 'apps/server/src/main.ts',
  migrate: 'apps/server/src/migrate.ts',
  gateway: 'apps/gateway/src/main.ts',
};
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const OUT = join(ROOT, 'apps/server/dist');
const SELF = fileURLToPath(import.meta.url);
const CONSOLE = join(ROOT, 'apps/console');

/** isFresh: the bundle exists and no file it was built from (nor this script) changed since. */
async function isFresh(entry) {
  let meta;
  try {
    meta = JSON.parse(await readFile(inputsFile(entry), 'utf8'));
  } catch {
    return false;
  }
  try {
    const inputs = [SELF, ...meta.inputs.map((input) => join(ROOT, input))];
    const times = await Promise.all(inputs.map(async (path) => (await stat(path)).mtimeMs));
    return times.every((time) => time <= meta.builtAt);
  } catch {
    return false; // an input is gone
  }
}

async function bundle(entry) {
  const started = performance.now();
  // An edit during the build makes its mtime newer than this, so the next start rebuilds.
  const builtAt = Date.now();
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { [entry]: ENTRIES[entry] },
    outdir: OUT,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [keepModuleUrls, patchedPostgres, externalPackages],
  });
  // Each file is renamed into place and the list of inputs comes last, so a
  // process starting meanwhile runs a whole bundle, old or new.
  await mkdir(OUT, { recursive: true });
  // Chunks (named by their content, never removed) before the entry that imports them.
  const files = [...result.outputFiles].sort(
    (a, b) => Number(b.path.includes('/chunks/')) - Number(a.path.includes('/chunks/')),
  );
  for (const file of files) await writeAtomically(file.path, file.contents);
  // Bundled npm packages change only with the lock file: it stands for their files.
  const inputs = [
    ...Object.keys(result.metafile.inputs).filter(
      (input) => !input.includes(':') && !input.includes('node_modules/'),
    ),
    'package-lock.json',
  ];
  await writeAtomically(inputsFile(entry), JSON.stringify({ builtAt, inputs }));
  console.error(
    `seam: built apps/server/dist/${entry}.mjs in ${Math.round(performance.now() - started)} ms`,
  );
}

function inputsFile(entry) {
  return join(OUT, `${entry}.inputs.json`);
}

async function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

/** keepModuleUrls gives each bundled file its own import.meta.url, so paths relative to it (migrations) still work. */
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(build) {
    // The workspace's .ts and .mjs files (apps/console/build.mjs asks whether it is the main module).
    build.onLoad({ filter: /\.(ts|mjs)$/ }, async (args) =>
      args.path.includes('node_modules')
        ? undefined
        : {
            contents: (await readFile(args.path, 'utf8')).replaceAll(
              'import.meta.url',
              JSON.stringify(pathToFileURL(args.path).href),
            ),
            loader: args.path.endsWith('.ts') ? 'ts' : 'js',
          },
    );
  },
};

/**
 * POSTGRES_FIXES repair postgres.js 3.4.9's write scheduler (porsager/postgres
 * #1154, #1208; fixes proposed in PRs #1176, #1209, not released): when a
 * connection closes with a small write still batched, the batched `setImmediate`
 * later writes to a null socket — an uncatchable TypeError that kills the whole
 * process (a Postgres restart took every Seam process down:
 * apps/e2e/src/database-outage.postgres.e2e.ts) — and the timer is cleared but
 * not reset, so the reconnected connection never flushes again. Each fix must
 * match the file exactly once; an upgrade that changes the code fails the build
 * here, so the patch is looked at again instead of silently dropped.
 */
const POSTGRES_FIXES = [
  [
    `function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
    `function nextWrite(fn) {
    if (!socket) {
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`,
  ],
  [
    `    clearImmediate(nextWriteTimer)
    if (socket) {`,
    `    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null
    if (socket) {`,
  ],
  [
    `    clearImmediate(nextWriteTimer)
    socket.removeListener('data', data)`,
    `    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null
    socket.removeListener('data', data)`,
  ],
];

/** patchedPostgres bundles postgres.js (the one npm package bundled) with POSTGRES_FIXES applied. */
const patchedPostgres = {
  name: 'patched-postgres',
  setup(build) {
    build.onResolve({ filter: /^postgres$/ }, () => ({
      path: fileURLToPath(import.meta.resolve('postgres')),
    }));
    build.onLoad({ filter: /[\\/]postgres[\\/]src[\\/]connection\.js$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      for (const [before, after] of POSTGRES_FIXES) {
        if (contents.split(before).length !== 2) {
          throw new Error(
            `postgres.js changed: a fix in apps/server/scripts/start.mjs no longer matches ${args.path}`,
          );
        }
        contents = contents.replace(before, after);
      }
      return { contents, loader: 'js' };
    });
  },
};

/** externalPackages bundles the workspace (@seam/*) and BUNDLED, and leaves other npm packages to Node. */
/**
 * BUNDLED are the npm packages built into the bundle with the workspace: plain
 * ES modules of many small files (hono, zod, drizzle-orm …), which Node resolves
 * and loads one by one — a third of a start. The rest (PGlite and its WebAssembly,
 * undici, pino, OpenTelemetry, the NATS client, CommonJS packages) stay imports.
 * One copy of each: a bundled package is bundled with all its subpaths.
 */
const BUNDLED = ['hono', '@hono/', 'zod', '@asteasolutions/zod-to-openapi', 'drizzle-orm', 'jose'];

const isBundled = (specifier) =>
  specifier.startsWith('@seam/') ||
  BUNDLED.some((name) =>
    name.endsWith('/')
      ? specifier.startsWith(name)
      : specifier === name || specifier.startsWith(`${name}/`),
  );

const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      isBundled(args.path) ? undefined : { path: args.path, external: true },
    );
  },
};

/** buildConsole builds the console page if stale; a failure leaves /console answering 503, the server runs. */
async function buildConsole() {
  const { ensureConsoleBuilt } = await import(pathToFileURL(join(CONSOLE, 'build.mjs')).href);
  await ensureConsoleBuilt(CONSOLE);
}

const entry = process.argv[2] ?? 'server';
if (entry === 'build') {
  for (const each of Object.keys(ENTRIES)) if (!(await isFresh(each))) await bundle(each);
  await buildConsole();
} else {
  if (!(entry in ENTRIES)) {
    console.error(
      `seam: unknown entry "${entry}"; one of ${[...Object.keys(ENTRIES), 'build'].join(', ')}`,
    );
    process.exit(2);
  }
  if (!(await isFresh(entry))) await bundle(entry);
  if (entry !== 'migrate') {
    await buildConsole().catch((error) =>
      console.error(`seam: the console page could not be built (/console answers 503): ${error}`),
    );
  }
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(join(OUT, `${entry}.mjs`)).href);
}
