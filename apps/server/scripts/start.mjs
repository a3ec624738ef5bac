// `npm start` and `npm run db:migrate`: run the server (or the migrations) from
// one prebuilt ES module instead of transpiling a few hundred TypeScript files at
// every start. The bundle (apps/server/dist, ignored by git) holds the workspace's
// own code; npm packages stay imports. It is rebuilt with esbuild, in well under
// a second, whenever a file it was built from is newer than it or gone, so a
// fresh clone, a pull or an edit never runs stale code.
//
//   node apps/server/scripts/start.mjs [server|migrate]
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENTRIES = { server: 'apps/server/src/main.ts', migrate: 'apps/server/src/migrate.ts' };
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const OUT = join(ROOT, 'apps/server/dist');
const SELF = fileURLToPath(import.meta.url);

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
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [keepModuleUrls, externalPackages],
  });
  // Each file is renamed into place and the list of inputs comes last, so a
  // process starting meanwhile runs a whole bundle, old or new.
  await mkdir(OUT, { recursive: true });
  for (const file of result.outputFiles) await writeAtomically(file.path, file.contents);
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.includes(':'));
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
    build.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
    }));
  },
};

/** externalPackages bundles the workspace (@seam/*) and leaves npm packages to Node. */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@seam/') ? undefined : { path: args.path, external: true },
    );
  },
};

const entry = process.argv[2] ?? 'server';
if (!(entry in ENTRIES)) {
  console.error(`seam: unknown entry "${entry}"; one of ${Object.keys(ENTRIES).join(', ')}`);
  process.exit(2);
}
if (!(await isFresh(entry))) await bundle(entry);
process.setSourceMapsEnabled(true);
await import(pathToFileURL(join(OUT, `${entry}.mjs`)).href);
