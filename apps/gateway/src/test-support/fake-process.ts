// A stand-in for apps/server and the gateway in the split runner's tests: it
// listens on PORT, answers every request with 200, prints the environment the
// runner gave it, and stops on SIGTERM — unless told to ignore it or to crash.
import { createServer } from 'node:http';

const name = process.env.SEAM_SERVICE ?? 'gateway';
const seen = Object.fromEntries(
  ['PORT', 'HOST', 'SEAM_SERVICE', 'SEAM_TOPOLOGY', 'SEAM_SERVICE_TOKEN', 'SEAM_DATA_DIR']
    .concat(['DATABASE_URL', 'SEAM_MODULES', 'SEAM_REMOTES', 'LOG_LEVEL'])
    .map((key) => [key, process.env[key]]),
);
const server = createServer((_, res) => res.end(JSON.stringify({ name })));
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`env ${JSON.stringify(seen)}`);
  console.error('a line on stderr');
});

process.on('SIGTERM', () => {
  if (process.env.FAKE_IGNORE_SIGTERM === name) {
    console.log('ignoring SIGTERM');
    return;
  }
  console.log('stopping');
  server.close();
  server.closeAllConnections();
  process.exit(0);
});

if (process.env.FAKE_CRASH === name) {
  setTimeout(() => {
    console.error('crashing on purpose');
    process.exit(3);
  }, 300);
}
