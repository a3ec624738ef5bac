// `npm run docker:verify`: proves the image's build context runs, without a
// container engine. It copies what .dockerignore lets through to a clean temporary
// folder, runs there the Dockerfile's own `npm ci` line and its bundle build, then
// starts the server and the gateway from that folder's files (their bundles, as the
// image's commands do) and sends a request through the gateway.
//
// Both processes run in the copied folder (every import is resolved there), as in
// the image; neither may rebuild its bundle at start (the image's filesystem is
// read-only in Kubernetes).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  GATEWAY_ENTRY,
  REPO_ROOT,
  SERVER_ENTRY,
  startProcess,
  type RunningProcess,
} from '@seam/platform/processes';
import { contextFiles } from './build-context.js';

const run = promisify(execFile);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const step = (message: string) => console.log(`[docker:verify] ${elapsed()} ${message}`);

const dir = await mkdtemp(join(tmpdir(), 'seam-image-'));
const processes: RunningProcess[] = [];
let failed = false;
try {
  const files = await contextFiles(REPO_ROOT);
  for (const file of files) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await copyFile(join(REPO_ROOT, file), join(dir, file));
  }
  step(`copied the build context: ${files.length} files to ${dir}`);

  const install = await installCommand();
  step(`running the Dockerfile's install: ${install.join(' ')}`);
  await run(install[0]!, install.slice(1), {
    cwd: dir,
    env: { ...process.env, NODE_ENV: 'production' },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 10 * 60_000,
  });
  step('installed');
  const build = await buildCommand();
  step(`running the Dockerfile's build: ${build.join(' ')}`);
  await run(build[0]!, build.slice(1), {
    cwd: dir,
    env: { ...process.env, NODE_ENV: 'production' },
    timeout: 5 * 60_000,
  });
  const built = await bundleTimes(dir);
  const consoleBuilt = await consoleBuildTime(dir);
  step(`built ${Object.keys(built).join(', ')} and the console page`);

  const requireFromImage = createRequire(join(dir, 'package.json'));
  requireFromImage.resolve('esbuild');
  if (existsSync(join(dir, 'node_modules/vitest'))) {
    throw new Error('vitest is installed: the install did not leave out dev dependencies');
  }
  for (const file of ['docker/topology/split.json', 'docker/topology/grouped.json']) {
    if (!existsSync(join(dir, file))) throw new Error(`${file} is not in the build context`);
  }
  step('esbuild resolves from the image files; dev dependencies are left out');

  const env = { NODE_ENV: 'production', LOG_LEVEL: 'warn' };
  const server = await startProcess({
    name: 'server from the image files',
    entry: SERVER_ENTRY,
    cwd: dir,
    env: { ...env, SEAM_DATA_DIR: join(dir, '.data') },
  });
  processes.push(server);
  step(`server ready in ${Math.round(server.readyMs)} ms at ${server.url}`);

  const monolith = JSON.parse(await readFile(join(dir, 'topology/monolith.json'), 'utf8')) as {
    services: { monolith: { modules: string[] } };
  };
  const topologyFile = join(dir, 'verify-topology.json');
  await writeFile(
    topologyFile,
    JSON.stringify({
      services: {
        monolith: { modules: monolith.services.monolith.modules, replicas: [server.url] },
      },
    }),
  );
  const gateway = await startProcess({
    name: 'gateway from the image files',
    entry: GATEWAY_ENTRY,
    cwd: dir,
    env: { ...env, SEAM_TOPOLOGY: topologyFile },
  });
  processes.push(gateway);
  step(`gateway ready in ${Math.round(gateway.readyMs)} ms at ${gateway.url}`);

  const rebuilt = Object.entries(await bundleTimes(dir)).filter(
    ([file, time]) => built[file] !== time,
  );
  if (rebuilt.length > 0) {
    throw new Error(`the image's bundles were rebuilt at start: ${rebuilt.map(([f]) => f)}`);
  }
  if ((await consoleBuildTime(dir)) !== consoleBuilt) {
    throw new Error("the image's console page was rebuilt at start");
  }
  step('the server and the gateway ran the bundles the build made');

  for (const [name, base] of [
    ['server', server.url],
    ['gateway', gateway.url],
  ] as const) {
    const page = await fetch(`${base}/console`);
    const html = await page.text();
    const script = /src="(\/console\/assets\/[\w-]+\.js)"/.exec(html)?.[1];
    if (page.status !== 200 || !script) {
      throw new Error(`GET /console from the ${name}: ${page.status}, script ${script}`);
    }
    const asset = await fetch(`${base}${script}`);
    await asset.arrayBuffer();
    if (asset.status !== 200 || !asset.headers.get('content-type')?.startsWith('text/javascript')) {
      throw new Error(`GET ${script} from the ${name}: ${asset.status}`);
    }
  }
  step('GET /console and its script from the server and the gateway: 200');

  const res = await fetch(`${gateway.url}/api/catalog/products`);
  const body = (await res.json()) as { items?: unknown[] };
  if (res.status !== 200 || !Array.isArray(body.items) || body.items.length === 0) {
    throw new Error(`GET /api/catalog/products through the gateway: ${res.status}`);
  }
  step(`GET /api/catalog/products through the gateway: 200, ${body.items.length} products`);
  for (const child of processes) {
    const memory = await child.memory();
    step(
      `${child.name}: RSS ${memory.rssMiB.toFixed(0)} MiB, peak ${memory.peakMiB.toFixed(0)} MiB`,
    );
  }
} catch (error) {
  failed = true;
  console.error(`[docker:verify] FAILED after ${elapsed()}:`, error);
} finally {
  for (const child of processes.reverse()) await child.stop();
  await rm(dir, { recursive: true, force: true });
}
if (failed) process.exit(1);
step('the build context installs and runs the server and the gateway');

/** installCommand reads the `npm ci …` of the Dockerfile's RUN line, so both stay one command. */
/** buildCommand is the Dockerfile's `node apps/server/scripts/start.mjs build` step. */
async function buildCommand(): Promise<string[]> {
  const dockerfile = await readFile(join(REPO_ROOT, 'docker/Dockerfile'), 'utf8');
  const line = /(node apps\/server\/scripts\/start\.mjs build)/.exec(dockerfile)?.[1];
  if (!line) throw new Error('docker/Dockerfile does not build the bundles');
  return [process.execPath, ...line.split(/\s+/).slice(1)];
}

/** consoleBuildTime is when the console page in apps/console/dist was built (its build record's mtime). */
async function consoleBuildTime(root: string): Promise<number> {
  return (await stat(join(root, 'apps/console/dist/.build.json'))).mtimeMs;
}

/** bundleTimes maps each bundle in apps/server/dist to its modification time. */
async function bundleTimes(root: string): Promise<Record<string, number>> {
  const folder = join(root, 'apps/server/dist');
  const times: Record<string, number> = {};
  for (const file of await readdir(folder)) {
    if (file.endsWith('.mjs')) times[file] = (await stat(join(folder, file))).mtimeMs;
  }
  return times;
}

async function installCommand(): Promise<string[]> {
  const dockerfile = await readFile(join(REPO_ROOT, 'docker/Dockerfile'), 'utf8');
  const line = /^RUN (npm ci[^\\&\n]*)/m.exec(dockerfile)?.[1];
  if (!line) throw new Error('docker/Dockerfile has no `RUN npm ci …` line');
  return line.trim().split(/\s+/);
}
