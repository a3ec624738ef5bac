// The operator console page: the files Vite built into apps/console/dist, served
// under /console by the server's host and the gateway. The page is one HTML
// file (never cached, so a new build is seen at once) and hashed assets (cached
// for a year: a new build has new names). Its content policy lets it load its
// own script, styles and data and nothing else: no inline script, no framing.
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Context, Env, Hono } from 'hono';
import { AppError } from '../errors.js';
import { problemResponse } from './problem.js';

/** CONSOLE_PATH is where the page is served. */
export const CONSOLE_PATH = '/console';

/** CONSOLE_CONTENT_POLICY replaces the base app's `default-src 'none'` on the console's files. */
export const CONSOLE_CONTENT_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** An asset name as Vite writes it: `index-<hash>.js`, no folders, no dots before the extension. */
const ASSET_NAME = /^[\w-]+\.[a-z0-9]+$/i;

/**
 * mountConsolePage serves `/console` and `/console/assets/*` from `dir` (the
 * console's build output). Without a build it answers 503 with the command that
 * makes one.
 *
 * @example
 * mountConsolePage(app, '/repo/apps/console/dist');
 */
export function mountConsolePage<E extends Env>(app: Hono<E>, dir: string | undefined): void {
  const notBuilt = () =>
    AppError.unavailable(
      'The operator console is not built here: run "npm run build:console" (npm start and the image build do it)',
      'console-not-built',
    );
  const files = new Map<string, Promise<Buffer | undefined>>();
  const read = (name: string) => {
    if (!dir) return Promise.resolve(undefined);
    let file = files.get(name);
    if (!file) {
      file = readFile(join(dir, name)).catch(() => undefined);
      // A missing file is looked for again next time (a build may be under way).
      void file.then((found) => found ?? files.delete(name));
      files.set(name, file);
    }
    return file;
  };

  const page = async (c: Context<E>) => {
    const html = await read('index.html');
    if (!html) return problemResponse(c, notBuilt());
    return c.body(new Uint8Array(html), 200, {
      'content-type': CONTENT_TYPES['.html']!,
      'cache-control': 'no-cache',
      'content-security-policy': CONSOLE_CONTENT_POLICY,
    });
  };
  app.get(CONSOLE_PATH, page);
  app.get(`${CONSOLE_PATH}/`, page);
  app.get(`${CONSOLE_PATH}/assets/:name`, async (c) => {
    const name = c.req.param('name');
    const type = CONTENT_TYPES[extname(name)];
    const body = ASSET_NAME.test(name) && type ? await read(join('assets', name)) : undefined;
    if (!body) {
      if (!dir) return problemResponse(c, notBuilt());
      return problemResponse(c, AppError.notFound(`No console asset ${name}`, 'asset-not-found'));
    }
    return c.body(new Uint8Array(body), 200, {
      'content-type': type!,
      'cache-control': 'public, max-age=31536000, immutable',
      'content-security-policy': CONSOLE_CONTENT_POLICY,
    });
  });
}
