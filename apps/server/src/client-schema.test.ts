// @seam/client's committed types (apps/client/src/schema.ts) must be what the
// current OpenAPI document generates: a route changed in a contract without
// `npm run client:generate` fails here, naming the command that fixes it.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CLIENT_SCHEMA_FILE, clientSchema } from './client-schema.js';
import { monolithDocument } from './openapi-document.js';

describe("@seam/client's generated schema", () => {
  it('matches the current OpenAPI document', async () => {
    const generated = await clientSchema(monolithDocument());
    const committed = await readFile(CLIENT_SCHEMA_FILE, 'utf8');
    expect(generated).toContain("'/api/catalog/products/{id}'");
    expect(
      committed === generated,
      'apps/client/src/schema.ts is out of date with the OpenAPI document: run npm run client:generate',
    ).toBe(true);
  });

  it('notices a change of the document: a route gone from it is a drift', async () => {
    const document = monolithDocument();
    delete document.paths!['/api/payments'];
    const committed = await readFile(CLIENT_SCHEMA_FILE, 'utf8');
    expect(await clientSchema(document)).not.toBe(committed);
  });

  it('names each operation by its operationId', async () => {
    const committed = await readFile(CLIENT_SCHEMA_FILE, 'utf8');
    for (const id of ['registerUser', 'getProduct', 'addCartItem', 'checkout', 'listPayments']) {
      expect(committed).toContain(`\n  ${id}: {`);
    }
  });
});
