// NATS for the benchmarks: the servers of NATS_URL, or the local JetStream the
// docs assume, with a fresh prefix per run (testNats) so runs leave nothing
// behind on a shared NATS once disposed.
import { NATS_SERVERS, testNats, type TestNats } from '@seam/platform/testing';

/** LOCAL_NATS is where the benchmarks look for NATS when NATS_URL is unset. */
export const LOCAL_NATS = 'nats://127.0.0.1:4222';

/** benchNats gives a fresh prefix on `servers` (default NATS_URL's, else LOCAL_NATS). */
export function benchNats(servers: readonly string[] = NATS_SERVERS): TestNats {
  return testNats(servers.length > 0 ? [...servers] : [LOCAL_NATS]);
}
