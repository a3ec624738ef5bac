// The gateway process: the public entry of a split deployment (see docs/splitting.md).
import { CONSOLE_DIST } from '@seam/console';
import { runMain } from '@seam/platform';
import { createGateway } from './gateway.js';

await runMain(
  'seam gateway',
  async () => {
    const gateway = await createGateway({ env: process.env, consoleDir: CONSOLE_DIST });
    await gateway.listen();
    return gateway;
  },
  'gateway',
);
