// @seam/console for the hosts: where the built console page lives, and the
// build that makes it when it is missing or stale (see build.mjs).
import { fileURLToPath } from 'node:url';
import { ensureConsoleBuilt as ensureBuilt } from './build.mjs';

/** CONSOLE_ROOT is the console's folder (apps/console). */
export const CONSOLE_ROOT = fileURLToPath(new URL('.', import.meta.url));

/** CONSOLE_DIST is the built page: give it to createHost / createGateway as `consoleDir`. */
export const CONSOLE_DIST = fileURLToPath(new URL('./dist', import.meta.url));

/**
 * ensureConsoleBuilt builds the console with Vite unless dist/ is up to date.
 *
 * @example
 * await ensureConsoleBuilt();
 * const host = await createHost({ modules, consoleDir: CONSOLE_DIST });
 */
export function ensureConsoleBuilt(): Promise<void> {
  return ensureBuilt(CONSOLE_ROOT);
}
