// The start:split runner: what it plans for a topology, and real child
// processes (stand-ins for the server and the gateway) started, prefixed,
// stopped, killed when stubborn, and reported when they die.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseTopology, type Topology } from '@seam/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planSplit, REPO_ROOT, startSplit, type PlannedProcess } from '@seam/platform/processes';

const FAKE = 'apps/gateway/src/test-support/fake-process.ts';

const TOPOLOGY = parseTopology({
  services: {
    users: { modules: ['users'], replicas: ['http://127.0.0.1:3101'] },
    catalog: { modules: ['catalog', 'cart'], replicas: ['http://localhost:3102'] },
  },
});

describe('planSplit', () => {
  it('plans one server per replica, then the gateway, each with its environment', () => {
    const plan = planSplit({
      topology: TOPOLOGY,
      topologyPath: 'topology/x.json',
      env: {
        LOG_LEVEL: 'debug',
        PORT: '9999',
        SEAM_MODULES: 'users',
        SEAM_REMOTES: 'catalog=http://x:1',
        SEAM_SERVICE: 'monolith',
      },
      gatewayPort: 3000,
    });
    const token = plan[0]!.env.SEAM_SERVICE_TOKEN!;
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const topologyPath = join(process.cwd(), 'topology/x.json');
    expect(plan).toEqual([
      {
        name: 'users',
        entry: 'server',
        url: 'http://127.0.0.1:3101',
        env: {
          LOG_LEVEL: 'debug',
          PORT: '3101',
          HOST: '127.0.0.1',
          SEAM_SERVICE: 'users',
          SEAM_TRUST_PROXY: 'loopback',
          SEAM_TOPOLOGY: topologyPath,
          SEAM_SERVICE_TOKEN: token,
          SEAM_DATA_DIR: '.data/split',
        },
      },
      {
        name: 'catalog',
        entry: 'server',
        url: 'http://localhost:3102',
        env: expect.objectContaining({
          PORT: '3102',
          HOST: '127.0.0.1',
          SEAM_SERVICE: 'catalog',
          SEAM_SERVICE_TOKEN: token,
        }),
      },
      {
        name: 'gateway',
        entry: 'gateway',
        url: 'http://127.0.0.1:3000',
        env: { LOG_LEVEL: 'debug', HOST: '127.0.0.1', PORT: '3000', SEAM_TOPOLOGY: topologyPath },
      },
    ]);
  });

  it('passes DATABASE_URL, a chosen token and data folder through, and runs replicas on Postgres', () => {
    const topology = parseTopology({
      services: {
        catalog: {
          modules: ['catalog'],
          replicas: ['http://127.0.0.1:3102', 'http://127.0.0.1:3112'],
        },
      },
    });
    const env = {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/shop',
      SEAM_SERVICE_TOKEN: 't'.repeat(40),
      SEAM_DATA_DIR: '/tmp/elsewhere',
    };
    const plan = planSplit({ topology, topologyPath: 'x.json', env, gatewayPort: 3000 });
    expect(plan.map((p) => p.name)).toEqual(['catalog', 'catalog#2', 'gateway']);
    expect(plan[1]!.env).toMatchObject({ ...env, PORT: '3112', SEAM_SERVICE: 'catalog' });
  });

  it('gives a service its own database from DATABASE_URL_<SERVICE>, over DATABASE_URL', () => {
    const topology = parseTopology({
      services: {
        catalog: { modules: ['catalog'], replicas: ['http://127.0.0.1:3102'] },
        'order-desk': { modules: ['orders'], replicas: ['http://127.0.0.1:3106'] },
        users: { modules: ['users'], replicas: ['http://127.0.0.1:3101'] },
      },
    });
    const env = {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/shop',
      DATABASE_URL_CATALOG: 'postgres://postgres@127.0.0.1:5432/catalog',
      DATABASE_URL_ORDER_DESK: 'postgres://postgres@127.0.0.1:5432/orders',
    };
    const plan = planSplit({ topology, topologyPath: 'x.json', env, gatewayPort: 3000 });
    const databases = Object.fromEntries(plan.map((p) => [p.name, p.env.DATABASE_URL]));
    expect(databases).toEqual({
      catalog: env.DATABASE_URL_CATALOG,
      'order-desk': env.DATABASE_URL_ORDER_DESK,
      users: env.DATABASE_URL,
      gateway: env.DATABASE_URL,
    });
    // Each process sees only its own database, not the other services' variables.
    for (const process of plan) {
      expect(Object.keys(process.env).filter((k) => k.startsWith('DATABASE_URL_'))).toEqual([]);
    }
  });

  it('refuses what cannot run on one machine, naming every reason', () => {
    const topology = parseTopology({
      services: {
        catalog: {
          modules: ['catalog'],
          replicas: ['http://127.0.0.1:3102', 'http://127.0.0.1:3112'],
        },
        users: { modules: ['users'], replicas: ['http://users:4000'] },
        cart: { modules: ['cart'], replicas: ['http://127.0.0.1:3000'] },
      },
    });
    expect(() =>
      planSplit({ topology, topologyPath: 'x.json', env: {}, gatewayPort: 3000 }),
    ).toThrow(
      [
        'Cannot run this topology locally:',
        '  - service catalog lists 2 replicas, but without DATABASE_URL each service keeps its data in one PGlite folder, which one process at a time can open; set DATABASE_URL (Postgres) or list one replica',
        '  - users is at http://users:4000; start:split runs every replica on this machine, so replica URLs must be http://127.0.0.1:<port> (compose and Kubernetes run the others)',
        '  - cart wants port 3000, which the gateway already uses',
      ].join('\n'),
    );
  });
});

async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer().listen(0, '127.0.0.1'));
  await Promise.all(servers.map((s) => once(s, 'listening')));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function fakePlan(env: Record<string, string> = {}): Promise<PlannedProcess[]> {
  const [a, b, gateway] = await freePorts(3);
  const topology: Topology = parseTopology({
    services: {
      alpha: { modules: ['alpha'], replicas: [`http://127.0.0.1:${a}`] },
      beta: { modules: ['beta'], replicas: [`http://127.0.0.1:${b}`] },
    },
  });
  return planSplit({
    topology,
    topologyPath: 'topology/fake.json',
    env: { PATH: process.env.PATH, ...env },
    gatewayPort: gateway!,
    serverEntry: FAKE,
    gatewayEntry: FAKE,
  });
}

/** collect gathers output lines and lets a test wait for one. */
function collect() {
  const lines: string[] = [];
  const waiters: { match: RegExp; resolve: (line: string) => void }[] = [];
  return {
    lines,
    write(line: string) {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.match.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    },
    waitFor(match: RegExp, timeoutMs = 30_000): Promise<string> {
      const found = lines.find((l) => match.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line matched ${match} in:\n${lines.join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}

describe('startSplit', () => {
  it('starts every process, prefixes its output and stops them all with SIGTERM', async () => {
    const output = collect();
    const split = startSplit(await fakePlan(), { write: output.write });
    try {
      for (const name of ['alpha', 'beta', 'gateway']) {
        await output.waitFor(new RegExp(`^\\[${name}\\]\\s+env `));
        await output.waitFor(new RegExp(`^\\[${name}\\]\\s+a line on stderr$`));
      }
      const envs = output.lines
        .filter((l) => / env /.test(l))
        .map((l) => JSON.parse(l.slice(l.indexOf(' env ') + 5)) as Record<string, string>);
      const services = envs.filter((e) => e.SEAM_SERVICE);
      expect(services.map((e) => e.SEAM_SERVICE).sort()).toEqual(['alpha', 'beta']);
      expect(new Set(services.map((e) => e.SEAM_SERVICE_TOKEN)).size).toBe(1);
      expect(services.every((e) => e.SEAM_TOPOLOGY?.endsWith('topology/fake.json'))).toBe(true);
      expect(output.lines[0]).toMatch(/^\[split\]\s+started alpha \(pid \d+\) at http:/);
    } finally {
      await split.stop();
    }
    expect(await Promise.all(split.children.map((c) => c.exited))).toEqual([0, 0, 0]);
    expect(output.lines.filter((l) => /stopping$/.test(l))).toHaveLength(3);
    expect(output.lines.some((l) => /unexpectedly/.test(l))).toBe(false);
  });

  it('kills a process that ignores SIGTERM once the stop timeout passes', async () => {
    const output = collect();
    const split = startSplit(await fakePlan({ FAKE_IGNORE_SIGTERM: 'beta' }), {
      write: output.write,
      stopTimeoutMs: 500,
    });
    // Signal handlers exist once a process prints its environment.
    for (const name of ['alpha', 'beta', 'gateway']) {
      await output.waitFor(new RegExp(`^\\[${name}\\]\\s+env `));
    }
    await split.stop();
    expect(await Promise.all(split.children.map((c) => c.exited))).toEqual([0, 'SIGKILL', 0]);
    expect(output.lines).toContainEqual(expect.stringMatching(/^\[beta\]\s+ignoring SIGTERM$/));
    expect(output.lines).toContainEqual(
      expect.stringMatching(/^\[split\]\s+beta did not stop within 500 ms of SIGTERM; killed$/),
    );
  });

  it('reports a process that dies on its own, does not restart it, and keeps the rest', async () => {
    const output = collect();
    const split = startSplit(await fakePlan({ FAKE_CRASH: 'alpha' }), { write: output.write });
    try {
      for (const name of ['beta', 'gateway']) {
        await output.waitFor(new RegExp(`^\\[${name}\\]\\s+env `));
      }
      await output.waitFor(/^\[split\]\s+alpha exited unexpectedly \(code 3\); not restarted$/);
      expect(split.children.map((c) => c.process.exitCode)).toEqual([3, null, null]);
    } finally {
      await split.stop();
    }
    expect(output.lines.filter((l) => /^\[alpha\]\s+env /.test(l))).toHaveLength(1);
  });
});

describe('the start:split command', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seam-split-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** twoServices writes a topology of services alpha and beta on free ports. */
  async function twoServices(name: string) {
    const [a, b, gateway] = await freePorts(3);
    const file = join(dir, name);
    await writeFile(
      file,
      JSON.stringify({
        services: {
          alpha: { modules: ['alpha'], replicas: [`http://127.0.0.1:${a}`] },
          beta: { modules: ['beta'], replicas: [`http://127.0.0.1:${b}`] },
        },
      }),
    );
    return { file, a, b, gateway: gateway! };
  }

  function run(env: Record<string, string>, service?: string) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'apps/gateway/src/test-support/split-with-fakes.ts'].concat(
        service ? [service] : [],
      ),
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH, SEAM_DATA_DIR: join(dir, 'data'), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output = collect();
    createInterface({ input: child.stdout }).on('line', output.write);
    createInterface({ input: child.stderr }).on('line', output.write);
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    return { child, output, exited };
  }

  it('stops every process and exits 0 on Ctrl-C, however many SIGINTs arrive', async () => {
    const { file, gateway } = await twoServices('two.json');
    const { child, output, exited } = run({ TOPOLOGY: file, PORT: String(gateway) });
    await output.waitFor(/^\[split\]\s+ready: http:\/\/127\.0\.0\.1:\d+ \(docs /);
    const pids = output.lines
      .map((l) => /started \w+ \(pid (\d+)\)/.exec(l)?.[1])
      .filter(Boolean)
      .map(Number);
    expect(pids).toHaveLength(3);

    // npm forwards the terminal's SIGINT too, so the runner usually gets two.
    child.kill('SIGINT');
    child.kill('SIGINT');
    expect(await exited).toEqual([0, null]);
    expect(output.lines).toContainEqual(expect.stringMatching(/^\[split\]\s+stopped$/));
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('start:service brings back one service alone, with the token the split keeps', async () => {
    const { file, b, gateway } = await twoServices('again.json');
    const env = { TOPOLOGY: file, PORT: String(gateway), SEAM_DATA_DIR: join(dir, 'again') };
    const whole = run(env);
    await whole.output.waitFor(/^\[split\]\s+ready: /);
    // The fake gateway is ready at once; a service's line may still be on its way.
    await whole.output.waitFor(/^\[alpha\]\s+env /);
    const token = (await readFile(join(dir, 'again', 'service-token'), 'utf8')).trim();
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const tokenOf = (lines: string[], name: string) =>
      lines
        .filter((l) => new RegExp(`^\\[${name}\\]\\s+env `).test(l))
        .map((l) => JSON.parse(l.replace(/^\[\w+\]\s+env /, '')).SEAM_SERVICE_TOKEN);
    expect(tokenOf(whole.output.lines, 'alpha')).toEqual([token]);
    whole.child.kill('SIGINT');
    expect(await whole.exited).toEqual([0, null]);

    const alone = run(env, 'beta');
    await alone.output.waitFor(
      new RegExp(`^\\[split\\]\\s+ready: beta at http://127\\.0\\.0\\.1:${b}$`),
    );
    await alone.output.waitFor(/^\[beta\]\s+env /);
    expect(tokenOf(alone.output.lines, 'beta')).toEqual([token]);
    expect(alone.output.lines.filter((l) => /^\[(alpha|gateway)\]/.test(l))).toEqual([]);
    alone.child.kill('SIGINT');
    expect(await alone.exited).toEqual([0, null]);

    const unknown = run(env, 'gamma');
    expect((await unknown.exited)[0]).toBe(1);
    expect(unknown.output.lines).toContainEqual(
      `seam split: ${file} has no service "gamma"; its services are alpha, beta`,
    );
  });

  it('exits 1 with every reason when the topology is invalid', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({ services: { Users: { modules: ['users'], replicas: ['http://x/api'] } } }),
    );
    const { output, exited } = run({ TOPOLOGY: file });
    expect((await exited)[0]).toBe(1);
    expect(output.lines[0]).toBe(`seam split: Invalid topology ${file}:`);
    expect(output.lines).toContainEqual(
      '  - services.Users: service names are lowercase letters, digits and dashes',
    );
  });
});
