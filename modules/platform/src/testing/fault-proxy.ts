// A TCP proxy on loopback for fault tests: put it between a process and what it
// connects to (its database, another service), then cut the link — every open
// connection dropped and new ones refused, as when the far side is restarted —
// and restore it. A tap sees the bytes (the checkout profile counts Postgres
// messages with one).
import { createServer, connect, type Server, type Socket } from 'node:net';

/** Tap sees each connection's bytes as they pass: made once per connection. */
export interface Tap {
  fromClient(chunk: Buffer): void;
  fromTarget(chunk: Buffer): void;
}

export interface FaultProxy {
  /** port (on the proxy's host, 127.0.0.1 by default) to connect to instead of the target. */
  port: number;
  /** cut drops every connection and refuses new ones until restore. */
  cut(): void;
  restore(): void;
  /** connections counts the connections accepted while the link was up. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * startFaultProxy forwards <host>:<port> (127.0.0.1 by default) to `target` byte for byte.
 *
 * @example
 * const proxy = await startFaultProxy({ host: '127.0.0.1', port: 5432 });
 * // DATABASE_URL=postgres://postgres@127.0.0.1:${proxy.port}/db
 * proxy.cut(); await sleep(5000); proxy.restore();
 */
export async function startFaultProxy(
  target: { host: string; port: number },
  options: {
    tap?: () => Tap;
    /** host is the address the proxy listens on: 127.0.0.1 unless another must reach it. */
    host?: string;
  } = {},
): Promise<FaultProxy> {
  const open = new Set<Socket>();
  let up = true;
  let connections = 0;
  const server: Server = createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    connections += 1;
    const upstream = connect(target.port, target.host);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    const tap = options.tap?.();
    if (tap) {
      client.on('data', (chunk: Buffer) => {
        tap.fromClient(chunk);
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        tap.fromTarget(chunk);
        client.write(chunk);
      });
    } else {
      client.pipe(upstream);
      upstream.pipe(client);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    cut() {
      up = false;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore() {
      up = true;
    },
    get connections() {
      return connections;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
