// Building the operator console: Vite bundles index.html and src/ into dist/,
// whose files the server and the gateway serve under /console. The build runs
// when dist/ is missing or older than a source file — from `npm start`, the image
// build (apps/server/scripts/start.mjs), `npm run start:split`, the end-to-end
// tests and `npm run build:console` — so nobody builds it by hand.
//
//   node apps/console/build.mjs          (build if stale, then exit)
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** BUILD_INFO, in dist/, lists when the build started; sources newer than it make it stale. */
const BUILD_INFO = '.build.json';

/** consoleInputs lists the files a build is made from, relative to the console's folder. */
async function consoleInputs(root) {
  const sources = await readdir(join(root, 'src'), { recursive: true });
  return ['index.html', 'build.mjs', ...sources.map((file) => join('src', file))];
}

/** isConsoleFresh: dist/ exists and no input changed (or appeared) since it was built. */
export async function isConsoleFresh(root) {
  try {
    const info = JSON.parse(await readFile(join(root, 'dist', BUILD_INFO), 'utf8'));
    const inputs = await consoleInputs(root);
    if (inputs.length !== info.inputs) return false;
    const times = await Promise.all(
      inputs.map(async (file) => (await stat(join(root, file))).mtimeMs),
    );
    return times.every((time) => time <= info.builtAt);
  } catch {
    return false;
  }
}

/**
 * buildConsole runs Vite on the console's folder `root` into `root`/dist. It builds
 * into a temporary folder and swaps it in, so a server never reads half a build.
 */
export async function buildConsole(root) {
  const started = performance.now();
  const builtAt = Date.now();
  const { build } = await import('vite');
  const temporary = join(root, `dist.${process.pid}.tmp`);
  await build({
    configFile: false,
    root,
    base: '/console/',
    logLevel: 'warn',
    build: {
      outDir: temporary,
      emptyOutDir: true,
      // No inline script (the page's content policy forbids it) and no data: URLs.
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      target: 'es2022',
      sourcemap: true,
    },
  });
  const inputs = await consoleInputs(root);
  await writeFile(join(temporary, BUILD_INFO), JSON.stringify({ builtAt, inputs: inputs.length }));
  const old = join(root, `dist.${process.pid}.old`);
  await rename(join(root, 'dist'), old).catch(() => {});
  await rename(temporary, join(root, 'dist'));
  await rm(old, { recursive: true, force: true });
  console.error(`seam: built apps/console/dist in ${Math.round(performance.now() - started)} ms`);
}

/** LOCK_WAIT_MS bounds waiting for another process's build; a lock older than LOCK_STALE_MS is abandoned. */
const LOCK_WAIT_MS = 120_000;
const LOCK_STALE_MS = 120_000;

/**
 * ensureConsoleBuilt builds the console in `root` unless its dist/ is fresh.
 * Processes starting together (the services of a split) build it once: one
 * takes the lock (an atomic mkdir), the others wait for it and find it fresh.
 */
export async function ensureConsoleBuilt(root) {
  if (await isConsoleFresh(root)) return;
  const lock = join(root, 'dist.lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const age =
        Date.now() -
        (await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (age > LOCK_STALE_MS) await rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${lock} is held by another build`);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    if (!(await isConsoleFresh(root))) await buildConsole(root);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await ensureConsoleBuilt(fileURLToPath(new URL('.', import.meta.url)));
}
