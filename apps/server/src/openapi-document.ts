// The monolith's merged OpenAPI document, built from the module definitions the
// server hosts without starting it (no database, no port): what `npm run
// lint:openapi` lints and `npm run client:generate` turns into @seam/client.
// openapi-document.test.ts proves it equals what a running monolith serves.
import {
  CONSOLE_API,
  EVENTS_ADMIN,
  mergeOpenApiDocuments,
  routesDocument,
  type OpenApiDocument,
} from '@seam/platform';
import { modules } from './modules.js';

/**
 * monolithDocument is `/openapi.json` of a server hosting every module under the
 * default service name (`monolith`).
 *
 * @example
 * await writeFile('openapi.json', JSON.stringify(monolithDocument(), null, 2));
 */
export function monolithDocument(version = '0.1.0'): OpenApiDocument {
  const names = modules.map((m) => m.contract.name);
  return mergeOpenApiDocuments(
    { title: 'Seam API', version, description: `Modules hosted by monolith: ${names.join(', ')}` },
    [
      ...modules.map((m) => routesDocument(m.contract, m.contract.routes, version)),
      routesDocument(EVENTS_ADMIN, EVENTS_ADMIN.routes, version),
      routesDocument(CONSOLE_API, CONSOLE_API.routes, version),
    ],
  );
}
