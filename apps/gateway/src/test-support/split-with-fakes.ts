// The start:split command (or start:service, given a service name as its argument)
// with fake processes instead of the server and the gateway, so its signal handling
// can be tested without databases.
import { runSplit } from '../split-runner.js';

const FAKE = 'apps/gateway/src/test-support/fake-process.ts';

await runSplit({ serverEntry: FAKE, gatewayEntry: FAKE, only: process.argv[2] });
