// Type-level tests of @seam/client, checked by `npm run typecheck` (never run):
// the compiler accepts the calls the API documents and refuses the others.
import { createSeamClient, type Schemas } from './index.js';

const seam = createSeamClient({ baseUrl: 'http://localhost:3000' });
const id = '8e9f27c6-dd9e-50b3-9b0e-03b140b75431';

export async function documentedCalls(): Promise<Schemas['Product'] | undefined> {
  const { data } = await seam.GET('/api/catalog/products/{id}', { params: { path: { id } } });
  await seam.POST('/api/orders', {
    params: { header: { 'idempotency-key': 'order-1' } },
    body: {
      paymentMethod: { card: '4242 4242 4242 4242' },
      shippingAddress: {
        name: 'Ada',
        line1: '1 Row',
        city: 'London',
        postalCode: 'N1',
        country: 'GB',
      },
    },
  });
  return data;
}

export async function undocumentedCalls(): Promise<void> {
  // @ts-expect-error: no such route
  await seam.GET('/api/nowhere');
  // @ts-expect-error: the product id is a required path parameter
  await seam.GET('/api/catalog/products/{id}');
  // @ts-expect-error: checkout needs its Idempotency-Key header
  await seam.POST('/api/orders', { body: { paymentMethod: { card: '4242' } } });
  // @ts-expect-error: a product needs its price
  await seam.POST('/api/catalog/products', { body: { sku: 'A', name: 'A', category: 'a' } });
}

export async function answerFields(): Promise<unknown> {
  const product = await documentedCalls();
  // @ts-expect-error: a product has no `stock`
  return product?.stock;
}
