// The server: one process hosting the modules named by SEAM_MODULES (default: all).
import { createHost, isAppError, type Host } from '@seam/platform';
import { jwks, modules } from './modules.js';

const started = performance.now();
let host: Host;
try {
  host = await createHost({ modules, jwks, env: process.env });
  await host.listen();
} catch (error) {
  if (isAppError(error)) {
    console.error(`seam: ${error.detail}`);
    for (const field of error.errors ?? []) console.error(`  - ${field.path}: ${field.message}`);
  } else {
    console.error('seam: failed to start', error);
  }
  process.exit(1);
}
host.log.info({ ms: Math.round(performance.now() - started) }, 'ready');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    host.log.info({ signal }, 'shutting down');
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        host.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
