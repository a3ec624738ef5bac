// `npm run start:split`: the command around the platform's split runner. It reads
// TOPOLOGY, starts every replica and the gateway, says when the gateway is ready,
// and stops them all on Ctrl-C.
import { resolve } from 'node:path';
import { loadTopology } from '@seam/platform';
import { planSplit, startSplit, waitForReady, type PlannedProcess } from '@seam/platform/processes';
import { startupErrorLines } from './startup-error.js';

const DEFAULT_TOPOLOGY = 'topology/split.json';
const READY_TIMEOUT_MS = 120_000;

export interface RunOptions {
  env?: Record<string, string | undefined>;
  serverEntry?: string;
  gatewayEntry?: string;
}

/**
 * runSplit is the command: it reads TOPOLOGY (default topology/split.json),
 * starts the split, prints when the gateway is ready, and on SIGINT/SIGTERM
 * stops everything and exits.
 */
export async function runSplit(options: RunOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const topologyPath = resolve(env.TOPOLOGY || DEFAULT_TOPOLOGY);
  let plan: PlannedProcess[];
  try {
    const topology = await loadTopology(topologyPath);
    const gatewayPort = Number(env.PORT || portOf(topology.gateway?.url) || 3000);
    plan = planSplit({ ...options, topology, topologyPath, env, gatewayPort });
  } catch (error) {
    for (const line of startupErrorLines('seam split', error)) console.error(line);
    process.exit(1);
  }
  const split = startSplit(plan, {
    header: `topology ${topologyPath}: ${plan.length - 1} service process(es) and the gateway`,
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

  const gateway = plan.at(-1)!;
  try {
    await waitForReady(gateway.url, {
      timeoutMs: READY_TIMEOUT_MS,
      cancelled: () => stopping,
      intervalMs: 250,
    });
  } catch (error) {
    split.say(`not ready: ${(error as Error).message}`);
    return;
  }
  if (!stopping) split.say(`ready: ${gateway.url} (docs ${gateway.url}/docs)`);
}

function portOf(url: string | undefined): string | undefined {
  return url ? new URL(url).port || undefined : undefined;
}
