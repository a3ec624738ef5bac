// NATS for tests: the servers of NATS_URL (CI starts NATS at 127.0.0.1:4222) and
// a fresh prefix per use, so runs sharing one NATS never see each other's
// streams; dispose() deletes that prefix's streams. startNatsServer runs a
// private nats-server (JetStream in a temporary folder) that a test may stop and
// start again — a broker restart without touching the shared one.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JetStreamManager } from '@nats-io/jetstream';
import { streamName } from '../events/nats-names.js';
import { freePort } from '../processes/process.js';

/** NATS_SERVERS are the servers of NATS_URL (comma-separated); empty when unset. */
export const NATS_SERVERS = (process.env.NATS_URL ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

export interface TestNats {
  servers: string[];
  prefix: string;
  /** env selects the NATS transport with this prefix for a host or process. */
  env: Record<string, string>;
  /** withManager runs `use` with a JetStream manager of these servers. */
  withManager<T>(use: (jsm: JetStreamManager) => Promise<T>): Promise<T>;
  /** stream reads a publishing module's stream state (message count, …). */
  stream(module: string): Promise<{ messages: number; lastSeq: number }>;
  /** pending is how many messages a subscriber's consumer of one type has not acked. */
  pending(publisher: string, consumer: string): Promise<number>;
  /** dispose deletes the streams of this prefix. */
  dispose(): Promise<void>;
}

/** testNats gives a fresh prefix on `servers` (default NATS_URL's). */
export function testNats(servers: string[] = NATS_SERVERS): TestNats {
  if (servers.length === 0) throw new Error('testNats needs NATS_URL (e.g. nats://127.0.0.1:4222)');
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const withManager = async <T>(use: (jsm: JetStreamManager) => Promise<T>): Promise<T> => {
    // Loaded here, not at the top: every test file imports the testing helpers.
    const { connect } = await import('@nats-io/transport-node');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers, maxReconnectAttempts: 5 });
    try {
      return await use(await jetstreamManager(nc));
    } finally {
      await nc.close();
    }
  };
  return {
    servers,
    prefix,
    env: {
      SEAM_EVENT_TRANSPORT: 'nats',
      SEAM_NATS_SERVERS: servers.join(','),
      SEAM_NATS_PREFIX: prefix,
    },
    withManager,
    stream: (module) =>
      withManager(async (jsm) => {
        const { state } = await jsm.streams.info(streamName(prefix, module));
        return { messages: state.messages, lastSeq: state.last_seq };
      }),
    pending: (publisher, consumer) =>
      withManager(async (jsm) => {
        const info = await jsm.consumers.info(streamName(prefix, publisher), consumer);
        return info.num_pending + info.num_ack_pending;
      }),
    dispose: () =>
      withManager(async (jsm) => {
        for await (const name of jsm.streams.names()) {
          if (name.startsWith(`${prefix.toUpperCase()}_`)) await jsm.streams.delete(name);
        }
      }).catch(() => {}),
  };
}

export interface NatsServer {
  url: string;
  /** stop ends the server: SIGTERM (a restart: JetStream flushes) or SIGKILL (a crash). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** start starts it again on the same port and store. */
  start(): Promise<void>;
  /** dispose stops it and removes its store. */
  dispose(): Promise<void>;
}

/** NATS_SERVER_BIN is Debian's nats-server unless NATS_SERVER_BIN names another. */
export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/** startNatsServer runs a private JetStream server on a free loopback port. */
export async function startNatsServer(): Promise<NatsServer> {
  const port = await freePort();
  const store = await mkdtemp(join(tmpdir(), 'seam-nats-'));
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  const start = async () => {
    output = '';
    const started = spawn(
      NATS_SERVER_BIN,
      ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = started;
    started.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    started.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    const deadline = Date.now() + 10_000;
    while (!/Server is ready/.test(output)) {
      if (started.exitCode !== null || Date.now() > deadline) {
        started.kill('SIGKILL');
        throw new Error(`nats-server did not start on ${url}:\n${output.slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL') => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(signal);
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited.finally(() => clearTimeout(timer));
  };
  await start();
  return {
    url,
    stop,
    start,
    async dispose() {
      await stop('SIGKILL');
      await rm(store, { recursive: true, force: true });
    },
  };
}
