// A host serving only the echo module, started as a child process by the
// transport benchmark: the callee of its no-database HTTP calls.
import { createHost } from '@seam/platform';
import { echoModule } from './echo-module.js';

const host = await createHost({ modules: [echoModule], env: process.env });
await host.listen();
process.on('SIGTERM', () => {
  host.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
