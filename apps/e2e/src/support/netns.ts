// A network namespace joined to this one by a veth pair, for partition tests: a
// service started inside it (`command`) listens on `address` and everything else
// reaches it over the pair. `cut()` takes the namespace's end of the pair down
// while both ends keep permanent neighbour entries, so packets in either direction
// are silently dropped — no reset, no "unreachable": exactly what a caller sees in
// a network partition, where only its own deadline ends the wait. `heal()` brings
// the link back; open connections resume. Needs root and iproute2 (`ip`).
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface NetworkNamespace {
  name: string;
  /** address is the namespace's end of the pair: services inside listen on it. */
  address: string;
  /** hostAddress is this namespace's end: what the namespace can reach (a proxy to the database, say). */
  hostAddress: string;
  /** command starts a program inside the namespace (ip netns exec execs it in place). */
  command: string[];
  /** cut partitions the namespace off: packets both ways are dropped until heal. */
  cut(): Promise<void>;
  heal(): Promise<void>;
  dispose(): Promise<void>;
}

async function ip(...args: string[]): Promise<string> {
  const { stdout } = await run('ip', args, { timeout: 10_000 });
  return stdout;
}

/** canCreateNetworkNamespaces says whether this process may create one (root with iproute2). */
export async function canCreateNetworkNamespaces(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    await ip('-V');
    return true;
  } catch {
    return false;
  }
}

/**
 * createNetworkNamespace makes a namespace with its loopback up, a veth pair on a
 * random /30 of 10.200.0.0/16 and permanent neighbour entries on both ends.
 *
 * @example
 * const ns = await createNetworkNamespace();
 * await startProcess({ host: ns.address, command: ns.command });
 * await ns.cut(); // … calls to ns.address now hang until their deadline
 * await ns.heal();
 * await ns.dispose();
 */
export async function createNetworkNamespace(): Promise<NetworkNamespace> {
  const id = `${process.pid % 10_000}${randomInt(100, 999)}`;
  const name = `seam-${id}`;
  const outside = `sp${id}a`;
  const inside = `sp${id}b`;
  const subnet = randomInt(0, 64) * 4;
  const third = randomInt(1, 255);
  const hostAddress = `10.200.${third}.${subnet + 1}`;
  const address = `10.200.${third}.${subnet + 2}`;
  const inNs = (...args: string[]) => ip('netns', 'exec', name, 'ip', ...args);

  await ip('netns', 'add', name);
  try {
    await ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
    await ip('link', 'set', inside, 'netns', name);
    await ip('addr', 'add', `${hostAddress}/30`, 'dev', outside);
    await ip('link', 'set', outside, 'up');
    await inNs('addr', 'add', `${address}/30`, 'dev', inside);
    await inNs('link', 'set', inside, 'up');
    await inNs('link', 'set', 'lo', 'up');
    // Permanent entries: with the link down, neither side learns the other is gone
    // (no failed ARP turning into a quick "host unreachable"); packets just vanish.
    const insideMac = (
      await ip('netns', 'exec', name, 'cat', `/sys/class/net/${inside}/address`)
    ).trim();
    const outsideMac = (await readFile(`/sys/class/net/${outside}/address`, 'utf8')).trim();
    await ip('neigh', 'replace', address, 'lladdr', insideMac, 'dev', outside, 'nud', 'permanent');
    await inNs(
      'neigh',
      'replace',
      hostAddress,
      'lladdr',
      outsideMac,
      'dev',
      inside,
      'nud',
      'permanent',
    );
  } catch (error) {
    await ip('link', 'del', outside).catch(() => undefined);
    await ip('netns', 'del', name).catch(() => undefined);
    throw error;
  }
  return {
    name,
    address,
    hostAddress,
    command: ['ip', 'netns', 'exec', name],
    cut: async () => void (await inNs('link', 'set', inside, 'down')),
    heal: async () => void (await inNs('link', 'set', inside, 'up')),
    async dispose() {
      await ip('link', 'del', outside).catch(() => undefined);
      await ip('netns', 'del', name).catch(() => undefined);
    },
  };
}
