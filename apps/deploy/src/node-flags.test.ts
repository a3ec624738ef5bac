// Seam's programs run with the same node flags wherever they run: the image's
// CMD, `npm start`, the Compose and Kubernetes commands (SERVER_COMMAND) and the
// child processes of the tests and benchmarks (nodeArgs).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeArgs, REPO_ROOT, SERVER_NODE_FLAGS } from '@seam/platform/processes';
import { describe, expect, it } from 'vitest';
import { GATEWAY_COMMAND, SERVER_COMMAND } from './compose.js';

describe('SERVER_NODE_FLAGS', () => {
  it('are on the image CMD', async () => {
    const dockerfile = await readFile(join(REPO_ROOT, 'docker/Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd, 'docker/Dockerfile has no exec-form CMD').toBeDefined();
    expect(JSON.parse(cmd!)).toEqual([
      'node',
      ...SERVER_NODE_FLAGS,
      'apps/server/scripts/start.mjs',
      'server',
    ]);
  });

  it('are on `npm start`', async () => {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(manifest.scripts.start).toBe(
      ['node', ...SERVER_NODE_FLAGS, 'apps/server/scripts/start.mjs'].join(' '),
    );
  });

  it('are on the Compose/Kubernetes commands and the child processes of bundled programs', () => {
    expect(SERVER_COMMAND.slice(1, 1 + SERVER_NODE_FLAGS.length)).toEqual(SERVER_NODE_FLAGS);
    expect(GATEWAY_COMMAND.slice(1, 1 + SERVER_NODE_FLAGS.length)).toEqual(SERVER_NODE_FLAGS);
    expect(nodeArgs('server').slice(0, SERVER_NODE_FLAGS.length)).toEqual(SERVER_NODE_FLAGS);
    expect(nodeArgs('apps/bench/src/bare-server.ts')).not.toContain(SERVER_NODE_FLAGS[0]);
  });
});
