// How a host reaches modules it does not run: one ReplicaSet per remote service
// (the modules SEAM_REMOTES lists under the same URLs share it), used by the
// typed clients' HTTP transport and by event deliveries alike, so a replica
// ejected by one is avoided by the other.
import {
  createClient,
  createHttpTransport,
  createInProcessTransport,
  EVENT_ROUTE,
  httpReplicas,
  INTERNAL_EVENTS_PATH,
  type CallObserver,
  SERVICE_TOKEN_HEADER,
  type Transport,
} from '../client.js';
import type { Contract, ModuleClient } from '../contract.js';
import { AppError } from '../errors.js';
import type { EventEnvelope } from '../events/define.js';
import type { Clients } from '../module.js';
import type { OperationRegistry } from '../operations.js';
import { classify, readJson, send } from '../remote/http.js';
import type { ReplicaSet, ReplicaStatus } from '../remote/replicas.js';
import { SEAM_MODULE } from '../tracing.js';

export interface RemotesOptions {
  registry: OperationRegistry;
  /** remotes maps a module name to the replica URLs of the service hosting it. */
  remotes: Record<string, string[]>;
  serviceToken: string;
  callTimeoutMs: number;
  /** observer records every typed call (the host's Metrics). */
  observer?: CallObserver;
}

export interface Remotes {
  /** clientsFor hands module `caller` its typed clients (in-process or HTTP per callee). */
  clientsFor(caller: string): Clients;
  /** deliver posts an event envelope to a subscriber module hosted elsewhere. */
  deliver(subscriber: string, envelope: EventEnvelope): Promise<void>;
  /** status reports the replicas (and their breakers) of every remote service called so far. */
  status(): { module: string; replicas: ReplicaStatus[] }[];
  /** replicaSets lists the remote services called so far, with their replicas' breakers. */
  replicaSets(): ReplicaSet[];
}

/** EVENT_DELIVERY_TIMEOUT_MS bounds one delivery attempt to another process. */
const EVENT_DELIVERY_TIMEOUT_MS = 10_000;

export function createRemotes(options: RemotesOptions): Remotes {
  const { registry, serviceToken } = options;
  const sets = new Map<string, ReplicaSet>();
  const replicasOf = (module: string): ReplicaSet | undefined => {
    const urls = options.remotes[module];
    if (!urls?.length) return undefined;
    const key = urls.join(' ');
    let set = sets.get(key);
    if (!set) {
      // The set is named after every module served at these URLs: the remote service.
      const served = Object.keys(options.remotes).filter(
        (name) => options.remotes[name]?.join(' ') === key,
      );
      set = httpReplicas(served.join('+'), urls);
      sets.set(key, set);
    }
    return set;
  };

  const local = createInProcessTransport(registry);
  const transports = new Map<string, Transport>();
  const transportFor = (module: string): Transport => {
    if (registry.has(module)) return local;
    let transport = transports.get(module);
    if (!transport) {
      const replicas = replicasOf(module);
      transport = replicas
        ? createHttpTransport({ replicas, serviceToken })
        : unreachableTransport(module);
      transports.set(module, transport);
    }
    return transport;
  };

  return {
    status: () =>
      [...sets.values()].map((set) => ({ module: set.service, replicas: set.status() })),
    clientsFor(caller) {
      const cache = new Map<string, unknown>();
      return {
        of<C extends Contract>(contract: C): ModuleClient<C> {
          let client = cache.get(contract.name) as ModuleClient<C> | undefined;
          if (!client) {
            // The transport is chosen per call so modules set up later are found in-process.
            const lazy: Transport = {
              get kind() {
                return transportFor(contract.name).kind;
              },
              get validatesOutput() {
                return registry.has(contract.name);
              },
              call: (...args) => transportFor(contract.name).call(...args),
            };
            client = createClient(contract, lazy, {
              caller,
              defaultTimeoutMs: options.callTimeoutMs,
              observer: options.observer,
            });
            cache.set(contract.name, client);
          }
          return client;
        },
      };
    },

    replicaSets() {
      for (const module of Object.keys(options.remotes)) {
        if (!registry.has(module)) replicasOf(module);
      }
      return [...sets.values()];
    },

    async deliver(subscriber, envelope) {
      const replicas = replicasOf(subscriber);
      if (!replicas) {
        throw AppError.unavailable(
          `Subscriber ${subscriber} is not hosted here and SEAM_REMOTES has no URL for it`,
          'module-unreachable',
        );
      }
      const replica = replicas.pick();
      if (!replica) {
        const [first] = replicas.replicas;
        throw AppError.unavailable(
          `Subscriber ${subscriber} at ${first!.url} is unreachable: ${first!.lastError ?? 'failing'} (every replica is ejected; tried again after the cooldown)`,
          'module-unreachable',
        );
      }
      const unreachable = (why: string) =>
        AppError.unavailable(
          `Subscriber ${subscriber} at ${replica.url} is unreachable: ${why}`,
          'module-unreachable',
        );
      let status: number;
      let problem: unknown;
      try {
        const result = await send(replica.url, {
          method: 'POST',
          path: `${INTERNAL_EVENTS_PATH}/${subscriber}`,
          headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: serviceToken },
          body: JSON.stringify(envelope),
          signal: AbortSignal.timeout(EVENT_DELIVERY_TIMEOUT_MS),
          route: EVENT_ROUTE,
          attributes: { [SEAM_MODULE]: subscriber },
        });
        status = result.statusCode;
        replicas.answered(replica, result);
        problem = await readJson(result);
      } catch (error) {
        const { reason } = classify(error);
        replicas.failed(replica, reason);
        throw unreachable(reason);
      }
      if (status >= 200 && status < 300) {
        replicas.succeeded(replica);
        return;
      }
      // A bare 502–504 (no problem document) comes from something in front of the
      // subscriber or a dying process: the subscriber is not there, as with a refusal.
      if (problem === undefined && status >= 502 && status <= 504) {
        replicas.failed(replica, `HTTP ${status}`);
        throw unreachable(`HTTP ${status}`);
      }
      replicas.succeeded(replica);
      throw AppError.fromProblem(problem, 502);
    },
  };
}

function unreachableTransport(module: string): Transport {
  return {
    kind: 'http',
    call: () =>
      Promise.reject(
        AppError.unavailable(
          `Module ${module} is not hosted by this process and SEAM_REMOTES has no URL for it`,
          'module-unreachable',
        ),
      ),
  };
}
