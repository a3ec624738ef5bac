// A scrape while Postgres is unreachable: the host reaches its database through
// a TCP proxy the test cuts. /metrics still answers, with every in-process series
// and `seam_database_up 0`, and reports 1 again once the database is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost, type Host } from './host.js';
import { notesModule } from './testing/fixtures/index.js';
import {
  createTestDatabase,
  eventually,
  parseExposition,
  startFaultProxy,
  type FaultProxy,
  type Sample,
  type TestDatabase,
} from './testing/index.js';

let database: TestDatabase;
let proxy: FaultProxy;
let host: Host;
let url: string;

beforeAll(async () => {
  database = await createTestDatabase('metrics-outage');
  const direct = new URL(database.env.DATABASE_URL!);
  proxy = await startFaultProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const viaProxy = new URL(direct);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  host = await createHost({
    modules: [notesModule],
    env: {
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      SEAM_DEMO_DATA: 'false',
      ...database.env,
      DATABASE_URL: viaProxy.toString(),
    },
  });
  url = (await host.listen(0)).url;
});

afterAll(async () => {
  proxy?.restore();
  await host?.close();
  await proxy?.close();
  await database?.dispose();
});

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  return parseExposition(await res.text()).samples;
}

const up = (samples: Sample[]) => samples.find((s) => s.name === 'seam_database_up')?.value;

describe('/metrics while Postgres is unreachable', () => {
  it('answers the other series with seam_database_up 0, and 1 once it is back', async () => {
    expect(up(await scrape())).toBe(1);

    proxy.cut();
    const down = await scrape();
    expect(up(down)).toBe(0);
    expect(down.filter((s) => s.name === 'seam_outbox_pending')).toEqual([]);
    expect(down.find((s) => s.name === 'process_resident_memory_bytes')?.value).toBeGreaterThan(0);
    expect(
      down.find((s) => s.name === 'http_requests_total' && s.labels.route === '/metrics'),
    ).toBeDefined();

    proxy.restore();
    await eventually(async () => expect(up(await scrape())).toBe(1), 20_000);
  });
});
