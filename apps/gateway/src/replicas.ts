// The gateway's view of every service's replicas: round robin over the ones
// that may take traffic, ejection of a replica that fails, and a probe loop
// (`/health/ready`) that finds failed replicas back and notices dead ones
// before a request has to.
import type { Logger, Topology } from '@seam/platform';

/**
 * ReplicaState: `unknown` until the first probe or answer (traffic is allowed,
 * optimistically), `ready` after a good one, `ejected` after a failure — no
 * traffic until a probe after the cooldown succeeds.
 */
export type ReplicaState = 'unknown' | 'ready' | 'ejected';

export interface Replica {
  readonly service: string;
  readonly url: string;
  state: ReplicaState;
  /** ejectedUntil is when an ejected replica is probed again (epoch ms). */
  ejectedUntil: number;
  /** since is when the state last changed (epoch ms). */
  since: number;
  lastError: string | undefined;
  /** seen is whether the replica was ever ready; until then it is probed every round. */
  seen: boolean;
}

export interface ReplicaPoolOptions {
  topology: Topology;
  /** ejectMs is how long an ejected replica gets no traffic before it is probed. */
  ejectMs: number;
  /** probeMs is the pause between two probe rounds. */
  probeMs: number;
  /** probeTimeoutMs bounds one probe request. */
  probeTimeoutMs: number;
  log: Logger;
  /** onChange is told when a service gains or loses its last usable replica, or a replica comes back. */
  onChange?: (service: string, event: 'up' | 'down') => void;
}

export interface ServiceStatus {
  modules: string[];
  ready: boolean;
  replicas: { url: string; state: ReplicaState; since: string; lastError?: string }[];
}

export class ReplicaPool {
  readonly #options: ReplicaPoolOptions;
  readonly #services = new Map<string, { modules: string[]; replicas: Replica[]; next: number }>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;

  constructor(options: ReplicaPoolOptions) {
    this.#options = options;
    const now = Date.now();
    for (const [service, definition] of Object.entries(options.topology.services)) {
      this.#services.set(service, {
        modules: [...definition.modules],
        next: 0,
        replicas: definition.replicas.map((url) => ({
          service,
          url,
          state: 'unknown',
          ejectedUntil: 0,
          since: now,
          lastError: undefined,
          seen: false,
        })),
      });
    }
  }

  /** services lists the service names in topology order. */
  get services(): string[] {
    return [...this.#services.keys()];
  }

  /**
   * candidates returns the replicas of `service` that may take a request, the
   * round-robin choice first and the others after it as fallbacks.
   */
  candidates(service: string): Replica[] {
    const entry = this.#services.get(service);
    if (!entry) return [];
    const usable = entry.replicas.filter((r) => r.state !== 'ejected');
    if (usable.length === 0) return [];
    const start = entry.next++ % usable.length;
    return [...usable.slice(start), ...usable.slice(0, start)];
  }

  /** retryAfterSeconds is when the first ejected replica of `service` will be probed again. */
  retryAfterSeconds(service: string): number {
    const until = Math.min(
      ...(this.#services.get(service)?.replicas.map((r) => r.ejectedUntil) ?? [0]),
    );
    return Math.max(1, Math.ceil((until - Date.now()) / 1000));
  }

  /**
   * succeeded records a good answer from `replica`. Only a probe brings an ejected
   * replica back: a late answer to a request sent before the ejection does not.
   */
  succeeded(replica: Replica): void {
    if (replica.state === 'unknown') this.#transition(replica, 'ready', undefined);
  }

  /**
   * failed ejects `replica` for the cooldown; requests move to the other replicas.
   * A replica never seen ready (still starting, say) is probed again next round.
   */
  failed(replica: Replica, reason: string): void {
    replica.ejectedUntil = Date.now() + (replica.seen ? this.#options.ejectMs : 0);
    replica.lastError = reason;
    if (replica.state !== 'ejected') this.#transition(replica, 'ejected', reason);
  }

  /** status reports every service and replica, for /health/ready. */
  status(): Record<string, ServiceStatus> {
    const result: Record<string, ServiceStatus> = {};
    for (const [service, entry] of this.#services) {
      result[service] = {
        modules: entry.modules,
        ready: entry.replicas.some((r) => r.state === 'ready'),
        replicas: entry.replicas.map((r) => ({
          url: r.url,
          state: r.state,
          since: new Date(r.since).toISOString(),
          ...(r.lastError && r.state !== 'ready' ? { lastError: r.lastError } : {}),
        })),
      };
    }
    return result;
  }

  /** start runs a probe round now and then every probeMs, until stop. */
  start(): void {
    const loop = async () => {
      this.#round = this.probeAll();
      await this.#round;
      if (!this.#stopped) {
        this.#timer = setTimeout(() => void loop(), this.#options.probeMs);
        this.#timer.unref();
      }
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
  }

  /** probeAll probes every replica that is not cooling down after an ejection. */
  async probeAll(): Promise<void> {
    const now = Date.now();
    const due = [...this.#services.values()]
      .flatMap((entry) => entry.replicas)
      .filter((r) => r.state !== 'ejected' || r.ejectedUntil <= now);
    await Promise.all(due.map((replica) => this.#probe(replica)));
  }

  async #probe(replica: Replica): Promise<void> {
    let reason: string;
    try {
      const response = await fetch(`${replica.url}/health/ready`, {
        signal: AbortSignal.timeout(this.#options.probeTimeoutMs),
      });
      await response.body?.cancel();
      if (response.status === 200) {
        if (replica.state !== 'ready') this.#transition(replica, 'ready', undefined);
        return;
      }
      reason = `/health/ready answered ${response.status}`;
    } catch (error) {
      reason = `/health/ready failed: ${describeFetchError(error)}`;
    }
    if (this.#stopped) return;
    this.failed(replica, reason);
  }

  #transition(replica: Replica, state: ReplicaState, reason: string | undefined): void {
    const entry = this.#services.get(replica.service)!;
    const usableBefore = entry.replicas.some((r) => r.state !== 'ejected');
    const previous = replica.state;
    replica.state = state;
    replica.since = Date.now();
    if (state === 'ready') {
      replica.lastError = undefined;
      replica.seen = true;
    }
    const usableAfter = entry.replicas.some((r) => r.state !== 'ejected');
    const { log, onChange } = this.#options;
    const fields = { target: replica.service, replica: replica.url, reason };
    if (state === 'ejected' && replica.seen) log.warn(fields, 'replica ejected');
    else if (state === 'ejected') log.info(fields, 'replica not reachable yet');
    else if (previous === 'ejected') log.info(fields, 'replica back');
    if (usableBefore && !usableAfter) onChange?.(replica.service, 'down');
    // A replica that is back may run a new version: its service's document is fetched again.
    else if (state === 'ready' && previous !== 'ready') onChange?.(replica.service, 'up');
  }
}

/** describeFetchError turns fetch's nested errors into one line (`ECONNREFUSED`, timeouts). */
export function describeFetchError(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: unknown };
  if (err?.name === 'TimeoutError') return 'timed out';
  const cause = err?.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? err?.message ?? String(error);
}
