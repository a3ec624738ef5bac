// The gateway process: the public entry of a split deployment (see docs/splitting.md).
import { isAppError } from '@seam/platform';
import { createGateway, type Gateway } from './gateway.js';
import { startupErrorLines } from './startup-error.js';

let gateway: Gateway;
try {
  gateway = await createGateway({ env: process.env });
  await gateway.listen();
} catch (error) {
  for (const line of startupErrorLines('seam gateway', error)) console.error(line);
  if (!isAppError(error)) console.error(error);
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    gateway.log.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        gateway.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
