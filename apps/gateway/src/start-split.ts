// `npm run start:split`: every service of a topology (TOPOLOGY, default
// topology/split.json) as its own process, and the gateway on PORT in front.
import { runSplit } from './split-runner.js';

await runSplit();
