// The one view of a service's replicas, shared by every remote caller (typed
// operation calls, event deliveries, the gateway's forwarding): round robin over
// the replicas that may take traffic, ejection after consecutive failures (the
// circuit breaker of each replica), and the way back — a `/health/ready` probe
// when a prober runs (the gateway), or one trial request after the cooldown.
import type { Logger } from '../logger.js';
import { drainingFor, type SendResult } from './http.js';

/**
 * ReplicaState: `unknown` until the first probe or answer (traffic is allowed,
 * optimistically), `ready` after a good one, `ejected` after failures — no
 * traffic until the cooldown ends and a probe (or a trial request) succeeds.
 */
export type ReplicaState = 'unknown' | 'ready' | 'ejected';

export interface Replica {
  readonly service: string;
  /** url is the replica's origin, without a trailing slash. */
  readonly url: string;
  state: ReplicaState;
  /** failures counts consecutive failures; `ejectAfter` of them eject the replica. */
  failures: number;
  /** ejectedUntil is when an ejected replica may be probed again (epoch ms). */
  ejectedUntil: number;
  /** since is when the state last changed (epoch ms). */
  since: number;
  lastError: string | undefined;
  /** seen is whether the replica was ever ready; until then it is retried without a cooldown. */
  seen: boolean;
}

export interface ReplicaSetOptions {
  service: string;
  urls: readonly string[];
  /** ejectAfter consecutive failures eject a replica (default 1). */
  ejectAfter?: number;
  /** ejectMs is how long an ejected replica gets no traffic (default 5 s). */
  ejectMs?: number;
  /**
   * trialAfterCooldown lets one request through to an ejected replica once its
   * cooldown is over, and brings it back if that succeeds. Without it only
   * `probed` (a health probe) brings a replica back.
   */
  trialAfterCooldown?: boolean;
  log?: Logger;
  /** onChange is told when the service loses its last usable replica, or a replica comes back. */
  onChange?: (event: 'up' | 'down') => void;
}

/** DRAINING is the reason of a replica taken out because it said it is shutting down. */
const DRAINING = 'draining';

/** SLOW_PROBES_TO_EJECT timed-out probes in a row (no good answer between) eject a replica. */
export const SLOW_PROBES_TO_EJECT = 2;

/** ReplicaStatus is one replica in /health/ready and the metrics. */
export interface ReplicaStatus {
  url: string;
  state: ReplicaState;
  since: string;
  lastError?: string;
}

/** ReplicaSet holds one service's replicas and decides which one takes the next request. */
export class ReplicaSet {
  readonly service: string;
  readonly replicas: readonly Replica[];
  readonly #options: Required<Pick<ReplicaSetOptions, 'ejectAfter' | 'ejectMs'>> &
    ReplicaSetOptions;
  #next = 0;

  constructor(options: ReplicaSetOptions) {
    if (options.urls.length === 0) throw new Error(`Service ${options.service} has no replica`);
    this.#options = { ejectAfter: 1, ejectMs: 5_000, ...options };
    this.service = options.service;
    const now = Date.now();
    this.replicas = options.urls.map((url) => ({
      service: options.service,
      url: url.replace(/\/+$/, ''),
      state: 'unknown',
      failures: 0,
      ejectedUntil: 0,
      since: now,
      lastError: undefined,
      seen: false,
    }));
  }

  /**
   * pick returns the next replica, round robin, that may take a request and is
   * not in `tried`; undefined when there is none.
   */
  pick(tried?: ReadonlySet<Replica>): Replica | undefined {
    const { replicas } = this;
    const now = Date.now();
    for (let i = 0; i < replicas.length; i++) {
      const replica = replicas[(this.#next + i) % replicas.length]!;
      if (tried?.has(replica) || !this.#usable(replica, now)) continue;
      this.#next = (this.#next + i + 1) % replicas.length;
      return replica;
    }
    return undefined;
  }

  /** usable tells whether any replica may take a request now. */
  get usable(): boolean {
    const now = Date.now();
    return this.replicas.some((replica) => this.#usable(replica, now));
  }

  /**
   * succeeded records a good answer. An ejected replica comes back only through
   * a trial request after its cooldown (when enabled) or a probe: a late answer
   * to a request sent before the ejection does not bring it back.
   */
  succeeded(replica: Replica): void {
    replica.failures = 0;
    if (replica.state === 'unknown') this.#transition(replica, 'ready', undefined);
    else if (
      replica.state === 'ejected' &&
      this.#options.trialAfterCooldown &&
      replica.ejectedUntil <= Date.now()
    ) {
      this.#transition(replica, 'ready', undefined);
    }
  }

  /** failed counts a failure; `ejectAfter` in a row eject the replica for the cooldown. */
  failed(replica: Replica, reason: string): void {
    replica.failures += 1;
    replica.lastError = reason;
    if (replica.state === 'ejected' || replica.failures >= this.#options.ejectAfter) {
      this.#eject(replica, reason);
    }
  }

  /**
   * probed records a health probe's outcome; a good probe brings an ejected
   * replica back. A probe answered badly (not ready) or refused ejects at once.
   * A probe that only ran out of time (`timedOut`) says the replica is slow, not
   * gone: it takes SLOW_PROBES_TO_EJECT of them with no good answer between — one
   * slow moment (a busy database, a stalled disk) does not turn a service's only
   * replica into an outage of a whole cooldown.
   */
  probed(replica: Replica, failure: string | undefined, timedOut = false): void {
    if (failure === undefined) {
      replica.failures = 0;
      if (replica.state !== 'ready') this.#transition(replica, 'ready', undefined);
      return;
    }
    replica.failures += 1;
    replica.lastError = failure;
    const needed = timedOut ? Math.max(this.#options.ejectAfter, SLOW_PROBES_TO_EJECT) : 1;
    if (replica.state === 'ejected' || replica.failures >= needed) this.#eject(replica, failure);
  }

  /**
   * answered looks at the headers of any answer from `replica` (whatever its
   * status) for DRAINING_HEADER, and takes a draining replica out (`draining`).
   * Every caller that reads an answer calls it: typed calls, event deliveries,
   * the gateway's proxy.
   */
  answered(replica: Replica, answer: Pick<SendResult, 'headers'>): void {
    const closesIn = drainingFor(answer);
    if (closesIn !== undefined) this.draining(replica, closesIn);
  }

  /**
   * draining records an answer saying the replica shuts down and stops accepting
   * in `closesInMs` (DRAINING_HEADER): it gets no new request until then and a
   * cooldown more — while another replica can take them. A service's only usable
   * replica keeps its traffic: it still answers until it stops accepting.
   */
  draining(replica: Replica, closesInMs: number): void {
    const now = Date.now();
    if (replica.state === 'ejected') return;
    if (!this.replicas.some((other) => other !== replica && this.#usable(other, now))) return;
    replica.lastError = DRAINING;
    replica.ejectedUntil = now + closesInMs + this.#options.ejectMs;
    this.#transition(replica, 'ejected', DRAINING);
  }

  /** dueForProbe lists the replicas a prober should probe now (ejected ones after their cooldown). */
  dueForProbe(now = Date.now()): Replica[] {
    return this.replicas.filter((r) => r.state !== 'ejected' || r.ejectedUntil <= now);
  }

  /** retryAfterSeconds is when the first ejected replica will be tried again. */
  retryAfterSeconds(): number {
    const until = Math.min(...this.replicas.map((r) => r.ejectedUntil));
    return Math.max(1, Math.ceil((until - Date.now()) / 1000));
  }

  /** ready: some replica answered its last probe or request well. */
  get ready(): boolean {
    return this.replicas.some((r) => r.state === 'ready');
  }

  status(): ReplicaStatus[] {
    return this.replicas.map((r) => ({
      url: r.url,
      state: r.state,
      since: new Date(r.since).toISOString(),
      ...(r.lastError && r.state !== 'ready' ? { lastError: r.lastError } : {}),
    }));
  }

  /**
   * eject takes the replica out for the cooldown (again, when it already was: a
   * failed trial or probe means another cooldown). A replica never seen ready
   * (still starting) is probed again at once, unless trials decide (no prober).
   */
  #eject(replica: Replica, reason: string): void {
    const cooldown = replica.seen || this.#options.trialAfterCooldown ? this.#options.ejectMs : 0;
    replica.ejectedUntil = Date.now() + cooldown;
    if (replica.state !== 'ejected') this.#transition(replica, 'ejected', reason);
  }

  #usable(replica: Replica, now: number): boolean {
    if (replica.state !== 'ejected') return true;
    return this.#options.trialAfterCooldown === true && replica.ejectedUntil <= now;
  }

  #transition(replica: Replica, state: ReplicaState, reason: string | undefined): void {
    const usableBefore = this.replicas.some((r) => r.state !== 'ejected');
    const previous = replica.state;
    replica.state = state;
    replica.since = Date.now();
    if (state === 'ready') {
      replica.lastError = undefined;
      replica.seen = true;
      replica.failures = 0;
    }
    const usableAfter = this.replicas.some((r) => r.state !== 'ejected');
    const { log, onChange } = this.#options;
    const fields = { target: this.service, replica: replica.url, reason };
    if (state === 'ejected' && reason === DRAINING) log?.info(fields, 'replica draining');
    else if (state === 'ejected' && replica.seen) log?.warn(fields, 'replica ejected');
    else if (state === 'ejected') log?.info(fields, 'replica not reachable yet');
    else if (previous === 'ejected') log?.info(fields, 'replica back');
    if (usableBefore && !usableAfter) onChange?.('down');
    // A replica that is back may run a new version: whoever caches its document refetches it.
    else if (state === 'ready' && previous !== 'ready') onChange?.('up');
  }
}
