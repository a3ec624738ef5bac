// The gateway's view of every service's replicas: one platform ReplicaSet per
// service (round robin, ejection on a failure, or on two probes in a row that
// timed out), and a probe loop (`/health/ready`) that finds ejected replicas
// back and notices dead ones before a request has to.
import {
  classify,
  ReplicaSet,
  send,
  type Logger,
  type Replica,
  type ReplicaStatus,
  type SendResult,
  type Topology,
} from '@seam/platform';

export type { Replica, ReplicaState } from '@seam/platform';

export interface ReplicaPoolOptions {
  topology: Topology;
  /** ejectMs is how long an ejected replica gets no traffic before it is probed. */
  ejectMs: number;
  /** probeMs is the pause between two probe rounds. */
  probeMs: number;
  /** probeTimeoutMs bounds one probe request. */
  probeTimeoutMs: number;
  log: Logger;
  /** onChange is told when a service loses its last usable replica, or a replica comes back. */
  onChange?: (service: string, event: 'up' | 'down') => void;
}

export interface ServiceStatus {
  modules: string[];
  ready: boolean;
  replicas: ReplicaStatus[];
}

export class ReplicaPool {
  readonly #options: ReplicaPoolOptions;
  readonly #services = new Map<string, { modules: string[]; set: ReplicaSet }>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;

  constructor(options: ReplicaPoolOptions) {
    this.#options = options;
    for (const [service, definition] of Object.entries(options.topology.services)) {
      const set = new ReplicaSet({
        service,
        urls: definition.replicas,
        ejectAfter: 1,
        ejectMs: options.ejectMs,
        log: options.log,
        onChange: (event) => options.onChange?.(service, event),
      });
      this.#services.set(service, { modules: [...definition.modules], set });
    }
  }

  /** services lists the service names in topology order. */
  get services(): string[] {
    return [...this.#services.keys()];
  }

  /** replicaSets gives each service's replicas (their breakers, for the metrics). */
  replicaSets(): ReplicaSet[] {
    return [...this.#services.values()].map(({ set }) => set);
  }

  /**
   * candidates returns the replicas of `service` that may take a request, the
   * round-robin choice first and the others after it as fallbacks.
   */
  candidates(service: string): Replica[] {
    const set = this.#services.get(service)?.set;
    const first = set?.pick();
    if (!set || !first) return [];
    const start = set.replicas.indexOf(first);
    const order = [...set.replicas.slice(start), ...set.replicas.slice(0, start)];
    return order.filter((r) => r === first || r.state !== 'ejected');
  }

  /** retryAfterSeconds is when the first ejected replica of `service` will be probed again. */
  retryAfterSeconds(service: string): number {
    return this.#services.get(service)?.set.retryAfterSeconds() ?? 1;
  }

  /** succeeded records a good answer (it never brings an ejected replica back: probes do). */
  succeeded(replica: Replica): void {
    this.#services.get(replica.service)?.set.succeeded(replica);
  }

  /** answered takes a replica whose answer says it is draining out of rotation (ReplicaSet#answered). */
  answered(replica: Replica, answer: Pick<SendResult, 'headers'>): void {
    this.#services.get(replica.service)?.set.answered(replica, answer);
  }

  /** failed ejects `replica` for the cooldown; requests move to the other replicas. */
  failed(replica: Replica, reason: string): void {
    this.#services.get(replica.service)?.set.failed(replica, reason);
  }

  /** status reports every service and replica, for /health/ready. */
  status(): Record<string, ServiceStatus> {
    const result: Record<string, ServiceStatus> = {};
    for (const [service, { modules, set }] of this.#services) {
      result[service] = { modules, ready: set.ready, replicas: set.status() };
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
    const due = [...this.#services.values()].flatMap(({ set }) =>
      set.dueForProbe().map((replica) => this.#probe(set, replica)),
    );
    await Promise.all(due);
  }

  async #probe(set: ReplicaSet, replica: Replica): Promise<void> {
    let failure: string | undefined;
    let timedOut = false;
    try {
      const result = await send(replica.url, {
        method: 'GET',
        path: '/health/ready',
        headers: {},
        signal: AbortSignal.timeout(this.#options.probeTimeoutMs),
        traced: false,
      });
      await result.body.dump();
      if (result.statusCode !== 200) failure = `/health/ready answered ${result.statusCode}`;
    } catch (error) {
      const { reason, aborted } = classify(error);
      failure = `/health/ready failed: ${reason}`;
      timedOut = aborted;
    }
    if (this.#stopped && failure !== undefined) return;
    set.probed(replica, failure, timedOut);
  }
}
