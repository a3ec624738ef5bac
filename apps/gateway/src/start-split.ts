// `npm run start:split`: every service of a topology (TOPOLOGY, default
// topology/split.json) as its own process, and the gateway on PORT in front.
import { ensureConsoleBuilt } from '@seam/console';
import { runSplit } from './split-runner.js';

// Built here once, before the processes start (they only read it).
await ensureConsoleBuilt();
await runSplit();
