// The last problem answers of this process, for the operator console: a ring
// buffer of fixed size, so a flood of bad requests costs a bounded amount of
// memory and the newest ones are always there.
import type { Problem } from '../errors.js';

/** RecentError is one answer with status ≥ 400 (or a failure noted by the process). */
export interface RecentError {
  at: string;
  method: string;
  path: string;
  /** route is the matched route template (`unmatched` when none). */
  route: string;
  status: number;
  requestId?: string;
  type?: string;
  title?: string;
  detail?: string;
}

/** RECENT_ERRORS_CAPACITY is how many answers a process keeps. */
export const RECENT_ERRORS_CAPACITY = 100;

/**
 * RecentErrors keeps the newest `capacity` errors, oldest overwritten first.
 *
 * @example
 * const recent = new RecentErrors();
 * recent.record({ at: new Date().toISOString(), method: 'GET', path: '/x', route: 'unmatched', status: 404 });
 * recent.list(); // newest first
 */
export class RecentErrors {
  readonly #items: (RecentError | undefined)[];
  #next = 0;
  #total = 0;

  constructor(readonly capacity = RECENT_ERRORS_CAPACITY) {
    this.#items = new Array<RecentError | undefined>(capacity);
  }

  record(error: RecentError): void {
    this.#items[this.#next] = error;
    this.#next = (this.#next + 1) % this.capacity;
    this.#total += 1;
  }

  /** total counts every error recorded since the start, kept or not. */
  get total(): number {
    return this.#total;
  }

  /** list returns the kept errors, newest first. */
  list(): RecentError[] {
    const result: RecentError[] = [];
    for (let i = 1; i <= this.capacity; i++) {
      const item = this.#items[(this.#next - i + this.capacity) % this.capacity];
      if (item) result.push(item);
    }
    return result;
  }
}

const PROBLEMS = new WeakMap<Response, Problem>();

/** rememberProblem notes the problem document a response carries (problemResponse calls it). */
export function rememberProblem(response: Response, problem: Problem): void {
  PROBLEMS.set(response, problem);
}

/** problemOf is the problem document `response` was built from, when this process built it. */
export function problemOf(response: Response): Problem | undefined {
  return PROBLEMS.get(response);
}
