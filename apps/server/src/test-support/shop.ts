// A shopper's view of the HTTP API, for the cross-module tests: the shopper driver
// (@seam/shopper), the same whether the server runs in-process (`app.request`) or
// as a child process (fetch), plus the assertions and waits that need vitest.
import type { Product } from '@seam/catalog-contract';
import type { Problem } from '@seam/platform';
import { eventually, readJson } from '@seam/platform/testing';
import { shop as shopper, type Requester } from '@seam/shopper';
import { expect } from 'vitest';

export { ADDRESS, paying, SUCCESS, type Requester, type Shopper } from '@seam/shopper';

/** json reads a JSON answer, failing the test unless it has `status`. */
export const json = <T>(res: Response, status: number): Promise<T> => readJson<T>(res, status);

/** problem reads an RFC 9457 answer with the expected status and code. */
export async function problem(res: Response, status: number, code: string): Promise<Problem> {
  const body = await json<Problem>(res, status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(body).toMatchObject({ status, code, type: `urn:seam:problem:${code}` });
  return body;
}

/**
 * shop is the shopper driver with `waitForStock`.
 *
 * @example
 * const api = shop((path, init) => t.request(path, init));
 * const ada = await api.signUp('Ada');
 */
export function shop(request: Requester) {
  const api = shopper(request);
  return {
    ...api,
    /** waitForStock waits until inventory's background demo seed covered these products. */
    async waitForStock(products: Product[]): Promise<void> {
      await eventually(async () => {
        for (const product of products) {
          expect((await api.stockOf(product.id)).available).toBeGreaterThan(5);
        }
      });
    },
  };
}

export type Shop = ReturnType<typeof shop>;
