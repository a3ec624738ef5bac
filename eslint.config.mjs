// Lint and module-boundary rules for the whole workspace; see docs/boundaries.md.
import { createRequire } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier/flat';
import tseslint from 'typescript-eslint';
import seam from './modules/platform/lint/layers.mjs';

// @nx/enforce-module-boundaries only reads the project graph cached in .nx/workspace-data and
// silently skips itself when there is none (fresh clone, CI, `nx reset`), or uses a stale one
// (new project, changed tags). Building the graph here, in-process, keeps `npx eslint .`
// self-sufficient. We skip it when Nx itself is running: inside an Nx task the graph is fresh,
// and during graph construction a nested build would loop.
if (!globalThis.NX_GRAPH_CREATION && !process.env.NX_TASK_TARGET_PROJECT) {
  // Resolved next to the plugin so both talk to the same copy of nx.
  const requireFromPlugin = createRequire(
    createRequire(import.meta.url).resolve('@nx/eslint-plugin'),
  );
  const { createProjectGraphAsync } = requireFromPlugin('@nx/devkit');
  await createProjectGraphAsync({ exitOnError: false });
}

/** Any subpath of a workspace package, except the platform's published test helpers. */
const DEEP_IMPORT = '^@seam/(?!platform/(testing|processes)$)[^/]+/';
const DEEP_IMPORT_MESSAGE =
  'Import a workspace package by its name only (its "exports" entry); deep imports bypass its public surface. Only @seam/platform/testing and @seam/platform/processes are allowed (and, in tests, @seam/<module>-contract/testing).';
/** In tests, a contract's fake (`@seam/<module>-contract/testing`) is allowed too. */
const DEEP_IMPORT_IN_TESTS =
  '^@seam/(?!platform/(testing|processes)$|[a-z]+-contract/testing$)[^/]+/';
/** TEST_FILES may import contracts' fakes: tests and their modules' test helpers. */
const TEST_FILES = ['**/*.test.ts', '**/test-support.ts'];

/** deepImportRules forbids imports matching `pattern`, static and dynamic. */
const deepImportRules = (pattern) => ({
  'no-restricted-imports': [
    'error',
    { patterns: [{ regex: pattern, message: DEEP_IMPORT_MESSAGE }] },
  ],
  // no-restricted-imports ignores import(); esquery regexes cannot contain '/', hence \x2F.
  'no-restricted-syntax': [
    'error',
    {
      selector: `ImportExpression[source.value=/${pattern.replaceAll('/', '\\x2F')}/]`,
      message: DEEP_IMPORT_MESSAGE,
    },
  ],
});

export default defineConfig([
  globalIgnores([
    '**/node_modules/',
    '**/.nx/',
    '**/.data/',
    '**/dist/',
    '**/coverage/',
    '**/migrations/**',
    '**/__fixtures__/**',
  ]),
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:module',
                'type:contract',
                'type:platform',
                'type:tool',
              ],
            },
            // A tool (apps/shopper, apps/client) drives the public API for apps: it knows
            // contracts and other tools (the shopper sends through the client), no module.
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: ['type:contract', 'type:platform', 'type:tool'],
            },
            {
              sourceTag: 'type:module',
              onlyDependOnLibsWithTags: ['type:contract', 'type:platform'],
            },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:platform'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform'] },
          ],
        },
      ],
      ...deepImportRules(DEEP_IMPORT),
    },
  },
  { files: TEST_FILES, rules: deepImportRules(DEEP_IMPORT_IN_TESTS) },
  {
    // The shopper driver also runs outside tests (benchmarks), so it fails by throwing.
    files: ['apps/shopper/src/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: DEEP_IMPORT, message: DEEP_IMPORT_MESSAGE },
            {
              regex: '^(vitest|@seam/platform/testing)$',
              message: '@seam/shopper runs outside tests too: throw an Error instead.',
            },
          ],
        },
      ],
    },
  },
  {
    // The platform's own layers (docs/architecture.md): no upward import, no cycle.
    files: ['modules/platform/src/**/*.ts'],
    plugins: { seam },
    rules: { 'seam/platform-layers': 'error' },
  },
  prettier,
]);
