// The server: one process hosting the modules named by SEAM_MODULES (default: all).
import { CONSOLE_DIST } from '@seam/console';
import { createHost, runMain } from '@seam/platform';
import { jwks, modules } from './modules.js';

await runMain('seam', async () => {
  const started = performance.now();
  const host = await createHost({ modules, jwks, env: process.env, consoleDir: CONSOLE_DIST });
  await host.listen();
  host.log.info({ ms: Math.round(performance.now() - started) }, 'ready');
  return host;
});
