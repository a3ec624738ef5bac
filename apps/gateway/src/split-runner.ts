// `npm run start:split`: the command around the platform's split runner. It reads
// TOPOLOGY, starts every replica and the gateway, says when the gateway is ready,
// and stops them all on Ctrl-C. `npm run start:service -- <service>` starts the
// replicas of one service of the same split again (after a crash, or to restart it
// alone), with the same ports, data folder and service token.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadTopology, startupErrorLines } from '@seam/platform';
import {
  DEFAULT_SPLIT_DATA_DIR,
  planSplit,
  seedPgliteFolders,
  startSplit,
  waitForReady,
  type PlannedProcess,
} from '@seam/platform/processes';

const DEFAULT_TOPOLOGY = 'topology/split.json';
const READY_TIMEOUT_MS = 120_000;

export interface RunOptions {
  env?: Record<string, string | undefined>;
  serverEntry?: string;
  gatewayEntry?: string;
  /** only starts the replicas of this one service (no gateway): `npm run start:service`. */
  only?: string;
}

/**
 * splitServiceToken is the credential the processes of a local split share:
 * SEAM_SERVICE_TOKEN when set, else the one kept in `<data dir>/service-token`
 * (made on first use, readable by this user only), so that a service started
 * again later — alone, with `npm run start:service` — is accepted by the others.
 */
export async function splitServiceToken(env: Record<string, string | undefined>): Promise<string> {
  if (env.SEAM_SERVICE_TOKEN) return env.SEAM_SERVICE_TOKEN;
  const folder = env.SEAM_DATA_DIR || DEFAULT_SPLIT_DATA_DIR;
  const file = join(folder, 'service-token');
  const kept = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  if (kept.length >= 32) return kept;
  const token = randomBytes(32).toString('hex');
  await mkdir(folder, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * runSplit is the command: it reads TOPOLOGY (default topology/split.json),
 * starts the split, prints when the gateway is ready, and on SIGINT/SIGTERM
 * stops everything and exits.
 */
export async function runSplit(options: RunOptions = {}): Promise<void> {
  const given = options.env ?? process.env;
  const topologyPath = resolve(given.TOPOLOGY || DEFAULT_TOPOLOGY);
  let plan: PlannedProcess[];
  let env = given;
  try {
    const topology = await loadTopology(topologyPath);
    env = { ...given, SEAM_SERVICE_TOKEN: await splitServiceToken(given) };
    const gatewayPort = Number(env.PORT || portOf(topology.gateway?.url) || 3000);
    plan = planSplit({ ...options, topology, topologyPath, env, gatewayPort });
    if (options.only !== undefined) {
      const services = Object.keys(topology.services);
      if (!services.includes(options.only)) {
        throw new Error(
          `${topologyPath} has no service "${options.only}"; its services are ${services.join(', ')}`,
        );
      }
      plan = plan.filter((p) => p.name !== 'gateway' && p.env.SEAM_SERVICE === options.only);
    }
  } catch (error) {
    for (const line of startupErrorLines('seam split', error)) console.error(line);
    process.exit(1);
  }
  // New PGlite folders start as copies of one initialised folder: one initdb, not
  // one per service racing for the same two cores.
  const seeding = performance.now();
  const seeded = await seedPgliteFolders(
    plan
      .filter((p) => p.name !== 'gateway' && !p.env.DATABASE_URL)
      .map((p) => join(p.env.SEAM_DATA_DIR!, p.env.SEAM_SERVICE!)),
  );
  const split = startSplit(plan, {
    header: [
      options.only === undefined
        ? `topology ${topologyPath}: ${plan.length - 1} service process(es) and the gateway`
        : `topology ${topologyPath}: service ${options.only}, ${plan.length} replica(s)`,
      seeded.length === 0
        ? ''
        : `; ${seeded.length} new PGlite folder(s) initialised in ${Math.round(performance.now() - seeding)} ms`,
    ].join(''),
    color: process.stdout.isTTY && !env.NO_COLOR,
    stopTimeoutMs: Number(env.SEAM_SHUTDOWN_TIMEOUT_MS || 10_000) + 5_000,
  });
  // A crash of the runner must not leave its detached children behind.
  process.on('exit', () => {
    for (const child of split.children) {
      if (child.process.exitCode === null && child.process.signalCode === null) {
        child.process.kill('SIGKILL');
      }
    }
  });

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // npm forwards the terminal's Ctrl-C as well: one stop, however many signals.
      if (stopping) return;
      stopping = true;
      split.say(`${signal}: stopping the gateway, then the services`);
      void split.stop().then(() => {
        split.say('stopped');
        process.exit(0);
      });
    });
  }
  void split.allExited.then(() => {
    if (stopping) return;
    split.say('every process has exited');
    process.exit(1);
  });

  // The gateway says when the whole split is ready; a service alone, its replicas.
  const watched = options.only === undefined ? [plan.at(-1)!] : plan;
  try {
    await Promise.all(
      watched.map((p) =>
        waitForReady(p.url, {
          timeoutMs: READY_TIMEOUT_MS,
          cancelled: () => stopping,
          intervalMs: 250,
        }),
      ),
    );
  } catch (error) {
    split.say(`not ready: ${(error as Error).message}`);
    return;
  }
  if (stopping) return;
  if (options.only === undefined) {
    const gateway = plan.at(-1)!;
    split.say(`ready: ${gateway.url} (docs ${gateway.url}/docs)`);
  } else {
    split.say(`ready: ${options.only} at ${plan.map((p) => p.url).join(', ')}`);
  }
}

function portOf(url: string | undefined): string | undefined {
  return url ? new URL(url).port || undefined : undefined;
}
