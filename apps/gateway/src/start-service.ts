// `npm run start:service -- <service>`: the replicas of one service of a local split
// (TOPOLOGY, default topology/split.json), e.g. to bring back one that crashed
// while `npm run start:split` keeps the others and the gateway running.
import { runSplit } from './split-runner.js';

const service = process.argv[2];
if (!service) {
  console.error(
    'usage: npm run start:service -- <service>   (a service of TOPOLOGY, default topology/split.json)',
  );
  process.exit(2);
}
await runSplit({ only: service });
