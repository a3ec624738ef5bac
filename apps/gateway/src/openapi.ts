// The gateway's OpenAPI document: each service's `/openapi.json`, cut down to
// the modules the topology says it hosts, merged with the platform's merge.
// Documents are cached; a service's is dropped when its last replica goes down
// and fetched again when a replica comes (back) up, so a down service's paths
// are absent until it returns. A cached one older than a minute is refreshed in
// the background (a rolling update behind one DNS name never looks down).
import {
  AppError,
  classify,
  mergeOpenApiDocuments,
  send,
  type Logger,
  type OpenApiDocument,
} from '@seam/platform';
import type { ReplicaPool } from './replicas.js';

/** MAX_AGE_MS is how long a cached document is served before it is fetched again. */
const MAX_AGE_MS = 60_000;

export interface ServiceDocumentsOptions {
  pool: ReplicaPool;
  /** modulesOf gives the modules each service hosts, per the topology. */
  modulesOf: Record<string, string[]>;
  timeoutMs: number;
  log: Logger;
  /** own are the documents of the gateway's own routes (the console's), merged in. */
  own?: OpenApiDocument[];
}

export class ServiceDocuments {
  readonly #options: ServiceDocumentsOptions;
  readonly #documents = new Map<string, OpenApiDocument>();
  readonly #fetchedAt = new Map<string, number>();
  readonly #pending = new Map<string, Promise<void>>();
  /** #generation increases on every drop, so a fetch that started before it is discarded. */
  readonly #generation = new Map<string, number>();
  #merged: OpenApiDocument | undefined;

  constructor(options: ServiceDocumentsOptions) {
    this.#options = options;
  }

  /** documented tells whether `service`'s paths are in the merged document right now. */
  documented(service: string): boolean {
    return this.#documents.has(service);
  }

  /** drop removes `service`'s paths until it is fetched again. */
  drop(service: string): void {
    this.#generation.set(service, (this.#generation.get(service) ?? 0) + 1);
    this.#fetchedAt.delete(service);
    if (this.#documents.delete(service)) this.#merged = undefined;
  }

  /** refresh fetches `service`'s document from one of its replicas; failures leave it absent. */
  refresh(service: string): Promise<void> {
    let pending = this.#pending.get(service);
    if (!pending) {
      pending = this.#fetch(service).finally(() => this.#pending.delete(service));
      this.#pending.set(service, pending);
    }
    return pending;
  }

  /**
   * document merges the documents of the services that answer, first fetching
   * those missing from the cache whose replicas may take traffic.
   */
  async document(version = '0.1.0'): Promise<OpenApiDocument> {
    const { pool } = this.#options;
    for (const [service, at] of this.#fetchedAt) {
      if (Date.now() - at > MAX_AGE_MS) void this.refresh(service);
    }
    await Promise.all(
      pool.services
        .filter((s) => !this.#documents.has(s) && pool.candidates(s).length > 0)
        .map((s) => this.refresh(s)),
    );
    if (this.#merged) return this.#merged;
    const services = pool.services.filter((s) => this.#documents.has(s));
    const missing = pool.services.filter((s) => !this.#documents.has(s));
    const info = {
      title: 'Seam API',
      version: this.#documents.get(services[0] ?? '')?.info.version ?? version,
      description:
        `Seam gateway: modules of ${pool.services.length} service(s).` +
        (missing.length > 0
          ? ` Not documented right now because no replica answers: ${missing.join(', ')}.`
          : ''),
    };
    try {
      this.#merged = mergeOpenApiDocuments(info, [
        ...services.map((s) => this.#documents.get(s)!),
        ...(this.#options.own ?? []),
      ]);
    } catch (error) {
      throw new AppError({
        status: 500,
        code: 'openapi-conflict',
        detail: `The services' OpenAPI documents cannot be merged: ${(error as Error).message}`,
      });
    }
    return this.#merged;
  }

  async #fetch(service: string): Promise<void> {
    const { pool, log, timeoutMs } = this.#options;
    const generation = this.#generation.get(service) ?? 0;
    for (const replica of pool.candidates(service)) {
      try {
        const response = await send(replica.url, {
          method: 'GET',
          path: '/openapi.json',
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (response.statusCode !== 200) {
          await response.body.dump();
          throw new Error(`answered ${response.statusCode}`);
        }
        const document = (await response.body.json()) as OpenApiDocument;
        if ((this.#generation.get(service) ?? 0) !== generation) return;
        this.#documents.set(service, servicePart(document, this.#options.modulesOf[service] ?? []));
        this.#fetchedAt.set(service, Date.now());
        this.#merged = undefined;
        return;
      } catch (error) {
        log.warn(
          { target: service, replica: replica.url, reason: classify(error).reason },
          'OpenAPI document unavailable',
        );
      }
    }
  }
}

/**
 * servicePart keeps the paths under `/api/<module>` of the modules the service
 * hosts per the topology (not, say, its own `/api/events`, which the gateway
 * does not route), the tags they use and the schemas they reach.
 */
export function servicePart(document: OpenApiDocument, modules: string[]): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (modules.some((m) => path === `/api/${m}` || path.startsWith(`/api/${m}/`))) {
      paths[path] = item;
    }
  }
  const usedTags = new Set<string>();
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      for (const tag of (operation as { tags?: string[] })?.tags ?? []) usedTags.add(tag);
    }
  }
  const components = { ...document.components };
  if (components.schemas) components.schemas = reachableSchemas(paths, components.schemas);
  return {
    ...document,
    tags: (document.tags ?? []).filter((t) => usedTags.has(t.name)),
    paths,
    components,
  };
}

/** reachableSchemas keeps the component schemas `paths` refer to, directly or through others. */
function reachableSchemas(
  paths: Record<string, unknown>,
  schemas: Record<string, unknown>,
): Record<string, unknown> {
  const prefix = '#/components/schemas/';
  const kept: Record<string, unknown> = {};
  const queue: unknown[] = [paths];
  while (queue.length > 0) {
    const value = queue.pop();
    if (Array.isArray(value)) {
      queue.push(...value);
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === '$ref' && typeof child === 'string' && child.startsWith(prefix)) {
          const name = child.slice(prefix.length);
          if (!(name in kept) && name in schemas) {
            kept[name] = schemas[name];
            queue.push(schemas[name]);
          }
        } else {
          queue.push(child);
        }
      }
    }
  }
  return kept;
}
