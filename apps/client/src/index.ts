// @seam/client: a typed client of Seam's public HTTP API for code outside the
// repository's modules — another service, a script, a front end. Its types are
// generated from the merged OpenAPI document (schema.ts, `npm run client:generate`);
// the requests are sent by openapi-fetch, so every path, parameter, body and
// answer is checked by the compiler against the API the server really serves.
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };

/** Schemas are the API's named schemas: `Schemas['Product']`, `Schemas['Problem']`, ... */
export type Schemas = components['schemas'];

/** SeamClient calls the API by path and method: `client.GET('/api/catalog/products/{id}', ...)`. */
export type SeamClient = Client<paths>;

export interface SeamClientOptions {
  /** baseUrl is the server's or the gateway's origin, such as `http://localhost:3000`. */
  baseUrl: string;
  /** fetch sends the requests; an in-process app passes `(request) => app.request(request)`. */
  fetch?: (request: Request) => Promise<Response>;
  /** token is sent as `Authorization: Bearer <token>` with every request. */
  token?: string;
}

/**
 * createSeamClient makes a typed client of the API at `baseUrl`. Answers are
 * `{ data, error, response }`: `data` on a 2xx, `error` (an RFC 9457 problem) otherwise.
 *
 * @example
 * const seam = createSeamClient({ baseUrl: 'http://localhost:3000' });
 * const { data: page } = await seam.GET('/api/catalog/products', { params: { query: { limit: 5 } } });
 * const { data: login } = await seam.POST('/api/users/login', { body: { email, password } });
 * const ada = createSeamClient({ baseUrl: 'http://localhost:3000', token: login!.accessToken });
 * const { data: cart } = await ada.GET('/api/cart');
 */
export function createSeamClient(options: SeamClientOptions): SeamClient {
  return createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.token ? { headers: bearer(options.token) } : {}),
  });
}

/**
 * bearer is the Authorization header of one request, for a client shared by several users.
 *
 * @example
 * await seam.GET('/api/orders/{id}', { params: { path: { id } }, headers: bearer(token) });
 */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
