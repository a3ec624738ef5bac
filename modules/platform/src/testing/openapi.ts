// Reading a module's routes back out of a host's OpenAPI document, so tests can
// check each one is documented (summary, tags, security, error responses).
import type { OpenApiDocument } from '../http/openapi.js';

/** DocumentedOperation is the part of an OpenAPI operation the tests check. */
export interface DocumentedOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean }[];
  responses: Record<string, unknown>;
}

/**
 * documentedOperations lists every operation under /api/<module> in `doc`,
 * keyed `<method> <path>`.
 *
 * @example
 * const operations = documentedOperations(t.host.document, 'catalog');
 * expect(operations.map((o) => o.key)).toContain('get /api/catalog/products');
 */
export function documentedOperations(
  doc: OpenApiDocument,
  module: string,
): { key: string; path: string; method: string; op: DocumentedOperation }[] {
  const base = `/api/${module}`;
  return Object.entries(doc.paths ?? {})
    .filter(([path]) => path === base || path.startsWith(`${base}/`))
    .flatMap(([path, item]) =>
      Object.entries(item as Record<string, DocumentedOperation>).map(([method, op]) => ({
        key: `${method} ${path}`,
        path,
        method,
        op,
      })),
    );
}
