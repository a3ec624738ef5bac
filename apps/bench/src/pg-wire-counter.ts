// A counting proxy for the Postgres wire protocol, for the checkout profile: the
// server connects to it instead of Postgres, and it forwards every byte while
// counting what the client asked for. pg_stat_statements needs a server
// restart to load, so statements and round trips are counted on the wire:
//   - statements: Execute messages (extended protocol, by the text their
//     statement was prepared with) and simple Query messages;
//   - round trips: ReadyForQuery messages from the server (one per Sync or
//     simple Query — each is a wait for Postgres), minus one per connection's
//     start-up;
//   - transactions: ReadyForQuery with status idle after a statement ran (the
//     end of an explicit transaction or of an implicit single-statement one).
// Loopback only; it adds a hop, so it is for counting, not for timing.
import { startFaultProxy } from '@seam/platform/testing';

export interface WireCounts {
  statements: number;
  roundTrips: number;
  transactions: number;
  connections: number;
  /** byText counts executed statements by their SQL text. */
  byText: Map<string, number>;
}

export interface WireCounter {
  /** url is DATABASE_URL pointed at the proxy (same user and database). */
  url: string;
  /** snapshot copies the counts so far; subtract two to get a window. */
  snapshot(): WireCounts;
  close(): Promise<void>;
}

/**
 * startWireCounter listens on a loopback port and forwards to the Postgres
 * server of `databaseUrl`.
 *
 * @example
 * const counter = await startWireCounter(url);
 * const before = counter.snapshot(); …; const window = diffCounts(counter.snapshot(), before);
 */
export async function startWireCounter(databaseUrl: string): Promise<WireCounter> {
  const target = new URL(databaseUrl);
  const counts: WireCounts = {
    statements: 0,
    roundTrips: 0,
    transactions: 0,
    connections: 0,
    byText: new Map(),
  };
  const proxy = await startFaultProxy(
    { host: target.hostname, port: Number(target.port || 5432) },
    {
      tap: () => {
        counts.connections++;
        const prepared = new Map<string, string>();
        let bound = '';
        let ranSinceReady = false;
        let started = false;
        const count = (text: string): void => {
          counts.statements++;
          ranSinceReady = true;
          const key = text.replace(/\s+/g, ' ').trim();
          counts.byText.set(key, (counts.byText.get(key) ?? 0) + 1);
        };
        return {
          fromClient: reader(true, (type, body) => {
            if (type === 0x50 /* P */) {
              const [name, text] = cstrings(body, 2);
              prepared.set(name!, text!);
            } else if (type === 0x42 /* B */) {
              bound = cstrings(body, 2)[1]!;
            } else if (type === 0x45 /* E */) {
              count(prepared.get(bound) ?? `<statement ${bound}>`);
            } else if (type === 0x51 /* Q */) {
              count(cstrings(body, 1)[0]!);
            }
          }),
          fromTarget: reader(false, (type, body) => {
            if (type !== 0x5a /* Z */) return;
            if (!started) {
              started = true;
              return;
            }
            counts.roundTrips++;
            if (body[0] === 0x49 /* I */ && ranSinceReady) counts.transactions++;
            if (body[0] === 0x49) ranSinceReady = false;
          }),
        };
      },
    },
  );
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return {
    url: url.toString(),
    snapshot: () => ({ ...counts, byText: new Map(counts.byText) }),
    close: () => proxy.close(),
  };
}

/** diffCounts is `after` minus `before`. */
export function diffCounts(after: WireCounts, before: WireCounts): WireCounts {
  const byText = new Map<string, number>();
  for (const [text, n] of after.byText) {
    const delta = n - (before.byText.get(text) ?? 0);
    if (delta > 0) byText.set(text, delta);
  }
  return {
    statements: after.statements - before.statements,
    roundTrips: after.roundTrips - before.roundTrips,
    transactions: after.transactions - before.transactions,
    connections: after.connections - before.connections,
    byText,
  };
}

/**
 * reader splits a byte stream into protocol messages (type byte, int32 length
 * including itself, body). The client's first message (start-up, or an SSL
 * request) has no type byte.
 */
function reader(untypedFirst: boolean, onMessage: (type: number, body: Buffer) => void) {
  let pending: Buffer = Buffer.alloc(0);
  let untyped = untypedFirst;
  return (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (untyped) {
        if (pending.length < 4) return;
        const length = pending.readInt32BE(0);
        if (pending.length < length) return;
        // An SSL request (80877103) is answered by one byte; postgres.js then
        // sends the real start-up, also untyped.
        const code = length >= 8 ? pending.readInt32BE(4) : 0;
        untyped = code === 80877103;
        pending = pending.subarray(length);
        continue;
      }
      if (pending.length < 5) return;
      const length = pending.readInt32BE(1);
      if (pending.length < length + 1) return;
      onMessage(pending[0]!, pending.subarray(5, length + 1));
      pending = pending.subarray(length + 1);
    }
  };
}

function cstrings(body: Buffer, count: number): string[] {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const end = body.indexOf(0, at);
    out.push(body.toString('utf8', at, end < 0 ? body.length : end));
    at = end + 1;
  }
  return out;
}
