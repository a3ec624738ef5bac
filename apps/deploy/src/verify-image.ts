// `npm run docker:verify`: proves the image's build context runs, without a
// container engine. It copies what .dockerignore lets through to a clean temporary
// folder, runs there the Dockerfile's own `npm ci` line, then starts the server and
// the gateway from that folder's files and sends a request through the gateway.
//
// Both processes run in the copied folder (`--import tsx` and every import are
// resolved there), as in the image.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

  const requireFromImage = createRequire(join(dir, 'package.json'));
  requireFromImage.resolve('tsx');
  if (existsSync(join(dir, 'node_modules/vitest'))) {
    throw new Error('vitest is installed: the install did not leave out dev dependencies');
  }
  for (const file of ['docker/topology/split.json', 'docker/topology/grouped.json']) {
    if (!existsSync(join(dir, file))) throw new Error(`${file} is not in the build context`);
  }
  step('tsx resolves from the image files; dev dependencies are left out');

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
async function installCommand(): Promise<string[]> {
  const dockerfile = await readFile(join(REPO_ROOT, 'docker/Dockerfile'), 'utf8');
  const line = /^RUN (npm ci[^\\&\n]*)/m.exec(dockerfile)?.[1];
  if (!line) throw new Error('docker/Dockerfile has no `RUN npm ci …` line');
  return line.trim().split(/\s+/);
}
