// The gateway process: the public entry of a split deployment (see docs/splitting.md).
import { runMain } from '@seam/platform';
import { createGateway } from './gateway.js';

await runMain('seam gateway', async () => {
  const gateway = await createGateway({ env: process.env });
  await gateway.listen();
  return gateway;
});
