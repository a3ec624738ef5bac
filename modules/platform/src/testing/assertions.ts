// Small assertions the modules' tests share: reading a JSON answer, the field
// paths of a problem, and the error of a call that must fail.
import { expect } from 'vitest';
import { AppError, type Problem } from '../errors.js';

/**
 * readJson reads a JSON answer, failing the test (with the body) unless its
 * status is `status` and its type JSON (a problem for 4xx and 5xx).
 *
 * @example
 * const cart = await readJson<Cart>(await t.request('/api/cart', init));
 */
export async function readJson<T>(res: Response, status = 200): Promise<T> {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(
    status >= 400 ? /^application\/problem\+json/ : /^application\/json/,
  );
  return body as T;
}

/** fieldPaths lists the field paths of a validation problem, in order. */
export function fieldPaths(problem: Pick<Problem, 'errors'>): string[] {
  return (problem.errors ?? []).map((error) => error.path);
}

/**
 * rejection awaits a call that must fail with an AppError and returns the error.
 *
 * @example
 * expect(await rejection(client.reserve(input))).toMatchObject({ status: 409 });
 */
export async function rejection(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** rejectedProblem is the problem form (as HTTP answers it) of the AppError a call fails with. */
export async function rejectedProblem(call: Promise<unknown>): Promise<Problem> {
  return (await rejection(call)).toProblem();
}
