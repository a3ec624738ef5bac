// The calls against a recording requester: what each sends. What the shop answers
// is covered where the driver runs against the real server (apps/server, apps/e2e).
import { randomUUID } from 'node:crypto';
import { TEST_CARDS } from '@seam/payments-contract';
import { describe, expect, it } from 'vitest';
import { shop, SUCCESS, UnexpectedStatusError, type Requester, type Shopper } from './index.js';

const ada: Shopper = { id: 'u1', email: 'ada@example.com', password: 'pw', token: 'ada-token' };

/** answering replies to each request with the next of `answers` and keeps what was sent. */
function answering(...answers: Response[]) {
  const sent: { path: string; method: string; headers: Headers; body: unknown }[] = [];
  const request: Requester = async (path, init) => {
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    sent.push({ path, method: init.method ?? 'GET', headers: new Headers(init.headers), body });
    const answer = answers.shift();
    if (!answer) throw new Error(`no answer left for ${path}`);
    return answer;
  };
  return { api: shop(request), sent };
}

describe('shop', () => {
  it('signs up with a unique email, then logs in with the same credentials', async () => {
    const { api, sent } = answering(
      Response.json({ id: 'u9' }, { status: 201 }),
      Response.json({ accessToken: 'tok', tokenType: 'Bearer', expiresIn: 900 }),
    );
    const shopper = await api.signUp('Ada');
    expect(shopper).toMatchObject({ id: 'u9', token: 'tok' });
    expect(shopper.email).toMatch(/^ada-[0-9a-f-]{36}@example\.com$/);
    expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual([
      'POST /api/users/register',
      'POST /api/users/login',
    ]);
    expect(sent[0]!.body).toEqual({
      email: shopper.email,
      password: shopper.password,
      name: 'Ada',
    });
    expect(sent[1]!.body).toEqual({ email: shopper.email, password: shopper.password });
  });

  it('checks out with the token, an Idempotency-Key and a successful card by default', async () => {
    const { api, sent } = answering(new Response(null, { status: 201 }));
    await api.checkout(ada);
    const [checkout] = sent;
    expect(checkout).toMatchObject({ method: 'POST', path: '/api/orders', body: SUCCESS });
    expect(SUCCESS.paymentMethod.card).toBe(TEST_CARDS.success);
    expect(checkout!.headers.get('authorization')).toBe('Bearer ada-token');
    expect(checkout!.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('returns the checkout and payments answers unread, whatever their status', async () => {
    const problem = { status: 404, code: 'not-found' };
    const { api, sent } = answering(
      Response.json({ id: 'o1', status: 'confirmed' }, { status: 201 }),
      Response.json(problem, {
        status: 404,
        headers: { 'content-type': 'application/problem+json' },
      }),
    );
    const key = randomUUID();
    const order = await api.checkout(ada, SUCCESS, key);
    expect(order.status).toBe(201);
    expect(await order.json()).toEqual({ id: 'o1', status: 'confirmed' });
    const payments = await api.payments(ada, 'o 1');
    expect(payments.status).toBe(404);
    expect(await payments.text()).toBe(JSON.stringify(problem));
    expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual([
      'POST /api/orders',
      'GET /api/payments?orderId=o%201',
    ]);
    expect(sent[0]!.headers.get('idempotency-key')).toBe(key);
  });

  it('gives the requester plain headers, which a requester may spread to add its own', async () => {
    const seen: Record<string, string>[] = [];
    const api = shop(async (_path, init) => {
      const headers = {
        ...(init.headers as Record<string, string>),
        'x-forwarded-for': '203.0.113.7',
      };
      seen.push(headers);
      return Response.json({ id: 'u9' }, { status: 201 });
    });
    await api.client.POST('/api/users/register', {
      body: { email: 'ada@example.com', password: 'pw', name: 'Ada' },
    });
    expect(seen[0]).toMatchObject({
      'content-type': 'application/json',
      'x-forwarded-for': '203.0.113.7',
    });
  });

  it('picks products in one currency from the first page', async () => {
    const product = (id: string, currency: string) => ({ id, price: { amount: 1, currency } });
    const { api } = answering(
      Response.json({ items: [product('a', 'EUR'), product('b', 'USD'), product('c', 'EUR')] }),
    );
    expect((await api.products(5)).map((p) => p.id)).toEqual(['a', 'c']);
  });

  it('throws an UnexpectedStatusError when an order is not placed', async () => {
    const { api } = answering(
      Response.json(
        { status: 422, code: 'orders.empty-cart' },
        { status: 422, headers: { 'content-type': 'application/problem+json' } },
      ),
    );
    const error = await api.placeOrder(ada).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedStatusError);
    expect((error as Error).message).toMatch(
      /^POST \/api\/orders → 422 \(expected 201\): .*orders\.empty-cart/,
    );
  });
});
