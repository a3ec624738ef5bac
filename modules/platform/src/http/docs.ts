// The docs UI: Scalar's standalone bundle served from node_modules (no CDN, so
// it works offline and behind firewalls) pointed at the merged document.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Env, Hono } from 'hono';

const SCRIPT_PATH = '/docs/scalar.js';

/**
 * DOCS_CONTENT_POLICY replaces the base app's `default-src 'none'` on the docs
 * page, which runs Scalar's bundle and an inline start-up script; framing stays refused.
 */
const DOCS_CONTENT_POLICY = "frame-ancestors 'none'";

function docsPage(title: string, specUrl: string): string {
  const config = JSON.stringify({
    url: specUrl,
    withDefaultFonts: false,
    hideClientButton: true,
    telemetry: false,
    // The agent ("Ask AI") and developer tools call Scalar's servers; docs stay offline.
    agent: { disabled: true },
    showDeveloperTools: 'never',
    metaData: { title },
  });
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
  </head>
  <body>
    <div id="app"></div>
    <script src="${SCRIPT_PATH}"></script>
    <script>Scalar.createApiReference('#app', ${config});</script>
  </body>
</html>`;
}

let scriptCache: Promise<string> | undefined;

function loadScalarScript(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('@scalar/api-reference');
  scriptCache ??= readFile(join(dirname(entry), 'browser', 'standalone.js'), 'utf8');
  return scriptCache;
}

/** mountDocs serves `/docs` (Scalar) for the document at `specUrl`. */
export function mountDocs<E extends Env>(
  app: Hono<E>,
  options: { title: string; specUrl: string },
): void {
  const page = docsPage(options.title, options.specUrl);
  app.get('/docs', (c) => c.html(page, 200, { 'content-security-policy': DOCS_CONTENT_POLICY }));
  app.get(SCRIPT_PATH, async (c) =>
    c.body(await loadScalarScript(), 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );
}
