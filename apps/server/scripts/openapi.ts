// `npm run lint:openapi` and `npm run client:generate`: the monolith's OpenAPI
// document, built in-process from the module definitions (no database, no port),
// linted with Redocly's recommended rules or turned into @seam/client's types.
//
//   tsx apps/server/scripts/openapi.ts lint     (0 errors and 0 warnings, or exit 1)
//   tsx apps/server/scripts/openapi.ts client   (rewrites apps/client/src/schema.ts)
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT_SCHEMA_FILE, clientSchema } from '../src/client-schema.js';
import { monolithDocument } from '../src/openapi-document.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface RedoclyReport {
  totals: { errors: number; warnings: number };
  problems: {
    ruleId: string;
    severity: string;
    message: string;
    location: { pointer: string }[];
  }[];
}

/** lint writes the document to a temporary file and runs `redocly lint` on it. */
async function lint(): Promise<number> {
  const folder = await mkdtemp(join(tmpdir(), 'seam-openapi-'));
  try {
    const file = join(folder, 'openapi.json');
    await writeFile(file, JSON.stringify(monolithDocument(), null, 2));
    const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
    const run = spawnSync(
      process.execPath,
      [cli, 'lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
        // No telemetry and no update check: CI has no internet beyond the registry.
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    let report: RedoclyReport;
    try {
      report = JSON.parse(run.stdout) as RedoclyReport;
    } catch {
      console.error(`redocly lint failed (exit ${run.status}):\n${run.stderr}${run.stdout}`);
      return 1;
    }
    for (const problem of report.problems) {
      const where = problem.location.map((l) => l.pointer).join(', ');
      console.error(`${problem.severity} ${problem.ruleId} at ${where}: ${problem.message}`);
    }
    const { errors, warnings } = report.totals;
    console.log(
      `redocly lint (recommended) on the monolith's /openapi.json: ${errors} errors, ${warnings} warnings`,
    );
    return errors + warnings === 0 && run.status === 0 ? 0 : 1;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** client rewrites @seam/client's generated types from the current document. */
async function client(): Promise<number> {
  await writeFile(CLIENT_SCHEMA_FILE, await clientSchema(monolithDocument()));
  console.log(`wrote ${relative(ROOT, CLIENT_SCHEMA_FILE)}`);
  return 0;
}

const COMMANDS: Record<string, () => Promise<number>> = { lint, client };
const command = COMMANDS[process.argv[2] ?? ''];
if (!command) {
  console.error(`usage: tsx apps/server/scripts/openapi.ts ${Object.keys(COMMANDS).join('|')}`);
  process.exit(2);
}
process.exitCode = await command();
