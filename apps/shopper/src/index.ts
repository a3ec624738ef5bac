// @seam/shopper: one shopper driving the shop's public HTTP API, for the
// cross-module tests (apps/server), the end-to-end journey (apps/e2e) and the
// benchmarks (apps/bench). It uses no test framework: an unexpected answer throws.
export { fetchRequester, readAnswer, seamClient, send, UnexpectedStatusError } from './send.js';
export type { Requester, SendOptions } from './send.js';
export { ADDRESS, PASSWORD, paying, shop, SUCCESS } from './shop.js';
export type { Shop, Shopper } from './shop.js';
