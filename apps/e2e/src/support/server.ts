// startServer runs the real server the way users do — `node --import tsx
// apps/server/src/main.ts` from the repository root — on a fresh database and a
// free loopback port, and stops it with SIGTERM as a process manager would.
import { startProcess, type RunningProcess, type StopResult } from '@seam/platform/processes';
import { createTestDatabase, type TestDatabase } from '@seam/platform/testing';

export { REPO_ROOT } from '@seam/platform/processes';

export interface RunningServer extends RunningProcess {
  database: TestDatabase;
}

/**
 * startServer spawns the server on a fresh database — a new Postgres database
 * when DATABASE_URL is set, else PGlite in a temporary folder — and resolves once
 * it is ready. stop() also drops the database.
 *
 * @example
 * const server = await startServer();
 * const res = await fetch(`${server.url}/api/catalog/products`);
 * expect((await server.stop()).code).toBe(0);
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const database = await createTestDatabase();
  let running: RunningProcess;
  try {
    running = await startProcess({ env: { LOG_LEVEL: 'info', ...database.env, ...env } });
  } catch (error) {
    await database.dispose().catch(() => {});
    throw error;
  }
  let stopping: Promise<StopResult> | undefined;
  return {
    ...running,
    database,
    stop(timeoutMs?: number) {
      stopping ??= running.stop(timeoutMs).finally(() => database.dispose());
      return stopping;
    },
  };
}
