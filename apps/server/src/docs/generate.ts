// The generated parts of the docs, from the modules the server runs: each
// docs/modules/<m>.md's reference and docs/architecture.md's module graph. A
// host on a throw-away PGlite sets every module up, so the call edges are the
// ones the host records (see the platform's module-graph.ts), and its merged
// OpenAPI document describes the routes.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHost, type ModuleGraph, type OpenApiDocument } from '@seam/platform';
import { format, resolveConfig } from 'prettier';
import { jwks, modules } from '../modules.js';
import { moduleReferences } from './reference.js';
import {
  GENERATED_END,
  GENERATED_START,
  renderModuleGraph,
  renderModuleReference,
  replaceGenerated,
} from './render.js';

/** REPO_ROOT holds the Prettier configuration the pages are formatted with, wherever they are. */
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface GeneratedDoc {
  /** path is relative to the repository root. */
  path: string;
  content: string;
  /** current is the file as it is on disk (undefined when it does not exist). */
  current: string | undefined;
}

/** ShopModel is what the pages are generated from: the monolith's graph and OpenAPI document. */
export interface ShopModel {
  graph: ModuleGraph;
  document: OpenApiDocument;
}

/**
 * shopModel sets every module of the server up in a host on a throw-away PGlite
 * (the host records the calls) and returns its graph and merged document.
 */
export async function shopModel(): Promise<ShopModel> {
  const dataDir = await mkdtemp(join(tmpdir(), 'seam-docs-'));
  try {
    const host = await createHost({
      modules,
      jwks,
      env: { SEAM_DATA_DIR: dataDir, LOG_LEVEL: 'silent', SEAM_DEMO_DATA: 'false' },
    });
    const { graph, document } = host;
    await host.close();
    return { graph, document };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * renderDocs puts every generated part into the pages under `root` and returns
 * the pages as they should be; it writes nothing. A module without a page gets
 * a new one.
 *
 * @example
 * const stale = (await renderDocs(root, await shopModel())).filter((doc) => doc.content !== doc.current);
 */
export async function renderDocs(
  root: string,
  { graph, document }: ShopModel,
): Promise<GeneratedDoc[]> {
  const pages = moduleReferences(modules, graph, document).map((reference) => ({
    path: `docs/modules/${reference.name}.md`,
    block: renderModuleReference(reference),
    title: `# ${reference.name[0]!.toUpperCase()}${reference.name.slice(1)} module\n\n${reference.description.replace(/[^.!?]$/, '$&.')}`,
  }));
  pages.push({
    path: 'docs/architecture.md',
    block: renderModuleGraph(graph),
    title: '# Architecture',
  });
  return Promise.all(
    pages.map(async ({ path, block, title }) => {
      const file = join(root, path);
      const current = await readFile(file, 'utf8').catch(() => undefined);
      const page = current ?? `${title}\n\n${GENERATED_START}\n${GENERATED_END}\n`;
      const content = await format(replaceGenerated(page, block, path), {
        ...(await resolveConfig(join(REPO_ROOT, path))),
        filepath: file,
      });
      return { path, content, current };
    }),
  );
}
