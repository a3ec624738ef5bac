// The baseline: a bare Hono hello-world on @hono/node-server, nothing else — no
// middleware, no database. Started as a child process by the benchmarks.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.text('Hello Hono!'));
app.get('/health/ready', (c) => c.json({ status: 'ready' }));

const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' },
  (info) => console.log(JSON.stringify({ msg: 'listening', port: info.port })),
);

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  if ('closeAllConnections' in server) server.closeAllConnections();
});
