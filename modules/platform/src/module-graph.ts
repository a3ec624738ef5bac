// The module graph: the modules, what each offers (routes, operations, events)
// and who depends on whom — calls, from the clients each module asked for in its
// setup (recorded by the host), and events, from each definition's `consumes`.
// Plain JSON, for the console and the generated module references.
import type { Contract } from './contract.js';
import type { EventDefinition } from './events/define.js';
import { authRequirement, type AuthRequirement } from './http/auth.js';
import type { Clients, ModuleDefinition } from './module.js';

export interface ModuleGraph {
  modules: GraphModule[];
  /** calls are module → module edges: `from` asked for a client of `to`'s contract. */
  calls: CallEdge[];
  /** events are publisher → subscriber edges, one per event type. */
  events: EventEdge[];
}

export interface GraphModule {
  name: string;
  description: string;
  routes: GraphRoute[];
  operations: GraphOperation[];
  /** publishes are the events of the module's contract. */
  publishes: GraphEvent[];
  /** consumes are the event types the module handles (other modules' events). */
  consumes: string[];
}

export interface GraphRoute {
  /** method is upper case: `GET`, `POST`, … */
  method: string;
  /** path is the public path, `/api/<module>/…`, with OpenAPI `{param}`s. */
  path: string;
  summary?: string;
  /** operationId is present when the route's config names one. */
  operationId?: string;
  auth: AuthRequirement;
}

export interface GraphOperation {
  name: string;
  summary: string;
  idempotent: boolean;
}

export interface GraphEvent {
  type: string;
  version: number;
  description: string;
}

export interface CallEdge {
  from: string;
  to: string;
}

export interface EventEdge {
  from: string;
  to: string;
  event: string;
}

/** CalledContracts maps a module name to the contracts (names) it asked clients for. */
export type CalledContracts = Readonly<Record<string, readonly string[]>>;

/**
 * moduleGraph derives the graph of `definitions`. `called` is what a host
 * recorded (recordCalls): every `clients.of(contract)` each module made in its
 * setup. A module calling itself is no edge. A running host has its graph as
 * `host.graph`.
 *
 * @example
 * const graph = moduleGraph([cart, catalog], { cart: ['catalog'] });
 * graph.calls; // [{ from: 'cart', to: 'catalog' }]
 */
export function moduleGraph(
  definitions: readonly ModuleDefinition[],
  called: CalledContracts,
): ModuleGraph {
  const modules = definitions.map(graphModule);
  const calls = definitions.flatMap(({ contract: { name } }) =>
    [...new Set(called[name] ?? [])]
      .filter((to) => to !== name)
      .sort()
      .map((to) => ({ from: name, to })),
  );
  const events = definitions.flatMap((definition) =>
    (definition.consumes ?? []).map((event) => ({
      from: publisherOf(event),
      to: definition.contract.name,
      event: event.type,
    })),
  );
  events.sort(
    (a, b) => compare(a.from, b.from) || compare(a.event, b.event) || compare(a.to, b.to),
  );
  return { modules, calls, events };
}

function graphModule(definition: ModuleDefinition): GraphModule {
  const contract: Contract = definition.contract;
  return {
    name: contract.name,
    description: contract.description,
    routes: Object.values(contract.routes).map((route) => ({
      method: route.method.toUpperCase(),
      path: `/api/${contract.name}${route.path === '/' ? '' : route.path}`,
      ...(route.summary ? { summary: route.summary } : {}),
      ...(route.operationId ? { operationId: route.operationId } : {}),
      auth: authRequirement(route),
    })),
    operations: Object.entries(contract.operations).map(([name, operation]) => ({
      name,
      summary: operation.summary,
      idempotent: operation.idempotent,
    })),
    publishes: Object.values(contract.events ?? {}).map(({ type, version, description }) => ({
      type,
      version,
      description,
    })),
    consumes: (definition.consumes ?? []).map((event) => event.type),
  };
}

/** publisherOf reads the module from an event type (`orders.OrderConfirmed` → `orders`). */
function publisherOf(event: EventDefinition): string {
  return event.type.slice(0, event.type.indexOf('.'));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** CallRecorder wraps the clients a host hands one module during its setup. */
export interface CallRecorder {
  clients: Clients;
  /** contracts are the names of the contracts asked for so far, in order. */
  readonly contracts: readonly string[];
  /**
   * seal ends setup: from now on a client of a contract not asked for during
   * setup is refused, so the recorded calls are all the calls the module makes.
   */
  seal(): void;
}

/**
 * recordCalls records which contracts `module` asks clients for. The host wraps
 * each module's clients with it around `setup` and seals it afterwards.
 *
 * @example
 * const recorder = recordCalls('cart', remotes.clientsFor('cart'));
 * await definition.setup({ ...context, clients: recorder.clients });
 * recorder.seal();
 */
export function recordCalls(module: string, clients: Clients): CallRecorder {
  const contracts: string[] = [];
  let sealed = false;
  return {
    contracts,
    seal() {
      sealed = true;
    },
    clients: {
      of(contract) {
        if (!contracts.includes(contract.name)) {
          if (sealed) {
            throw new Error(
              `Module ${module} asked for a client of ${contract.name} after its setup; call clients.of(${contract.name}Contract) in setup, so the module graph records the call`,
            );
          }
          contracts.push(contract.name);
        }
        return clients.of(contract);
      },
    },
  };
}
