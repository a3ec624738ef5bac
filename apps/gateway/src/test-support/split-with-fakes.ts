// The start:split command with fake processes instead of the server and the
// gateway, so its signal handling can be tested without databases.
import { runSplit } from '../split-runner.js';

const FAKE = 'apps/gateway/src/test-support/fake-process.ts';

await runSplit({ serverEntry: FAKE, gatewayEntry: FAKE });
