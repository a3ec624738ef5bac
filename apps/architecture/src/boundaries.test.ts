// Architecture test: proves the lint config rejects imports that cross module boundaries.
// Each case lints an in-memory file placed inside a real project folder, so the project
// graph (tags from each package.json) decides, exactly as in `npm run lint`.
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const BOUNDARY_RULE = '@nx/enforce-module-boundaries';
const DEEP_IMPORT_RULE = 'no-restricted-imports';
const DYNAMIC_DEEP_IMPORT_RULE = 'no-restricted-syntax';
const BOUNDARY_RULES = [BOUNDARY_RULE, DEEP_IMPORT_RULE, DYNAMIC_DEEP_IMPORT_RULE];

let eslint: ESLint;

beforeAll(async () => {
  eslint = new ESLint({ cwd: REPO_ROOT });
  // Loading the config builds the Nx project graph once; keep that out of the first case.
  await eslint.calculateConfigForFile('modules/catalog/src/warm-up.ts');
}, 60_000);

/** Lints `code` as if it lived at `filePath` and returns its errors. */
async function lintErrors(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (!result) throw new Error(`ESLint returned no result for ${filePath}`);
  // A rule-less message means the file was ignored or did not parse: the case would prove nothing.
  const unattributed = result.messages.filter((message) => message.ruleId === null);
  expect(unattributed).toEqual([]);
  return result.messages.filter((message) => message.severity === 2);
}

async function boundaryErrors(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const errors = await lintErrors(filePath, code);
  return errors.filter((error) => error.ruleId !== null && BOUNDARY_RULES.includes(error.ruleId));
}

async function expectError(filePath: string, code: string, ruleId: string, message: RegExp) {
  const errors = await lintErrors(filePath, code);
  expect(errors).toContainEqual(
    expect.objectContaining({ ruleId, message: expect.stringMatching(message) }),
  );
}

/**
 * An import that points up the layers (contract → module, platform → contract, module → app)
 * closes a cycle whenever the allowed reverse dependency already exists in the real code, and
 * Nx then reports the cycle instead of the tag constraint. Either is this rule's error.
 */
async function expectUpwardImportRejected(filePath: string, code: string, sourceTag: string) {
  const errors = await lintErrors(filePath, code);
  const boundaryError = errors.find((error) => error.ruleId === BOUNDARY_RULE);
  expect(boundaryError?.message).toMatch(
    new RegExp(`tagged with "${sourceTag}" can only depend on|^Circular dependency between`),
  );
}

describe('module boundaries', () => {
  describe('rejects', () => {
    it("a module importing another module's definition", async () => {
      await expectError(
        'modules/catalog/src/find-product.ts',
        "import { users } from '@seam/users';\nexport const definition = users;\n",
        BOUNDARY_RULE,
        /tagged with "type:module" can only depend on libs tagged with "type:contract", "type:platform"/,
      );
    });

    it('a type-only import of another module', async () => {
      await expectError(
        'modules/catalog/src/find-product.ts',
        "import type { User } from '@seam/users';\nexport type Owner = User;\n",
        BOUNDARY_RULE,
        /tagged with "type:module" can only depend on/,
      );
    });

    it("a re-export of another module's definition", async () => {
      await expectError(
        'modules/catalog/src/index.ts',
        "export * from '@seam/users';\n",
        BOUNDARY_RULE,
        /tagged with "type:module" can only depend on/,
      );
    });

    it('a module importing an app', async () => {
      await expectUpwardImportRejected(
        'modules/catalog/src/find-product.ts',
        "import { server } from '@seam/server';\nexport const host = server;\n",
        'type:module',
      );
    });

    it("a deep import into another package's source", async () => {
      await expectError(
        'modules/catalog/src/find-product.ts',
        "import { UserSchema } from '@seam/users-contract/src/index';\nexport const schema = UserSchema;\n",
        DEEP_IMPORT_RULE,
        /'@seam\/users-contract\/src\/index' import is restricted/,
      );
    });

    it('a deep import into the platform other than its testing entry', async () => {
      await expectError(
        'modules/catalog/src/find-product.ts',
        "import { createDatabase } from '@seam/platform/src/db';\nexport const db = createDatabase;\n",
        DEEP_IMPORT_RULE,
        /'@seam\/platform\/src\/db' import is restricted/,
      );
    });

    it("a contract's fake outside a test file", async () => {
      await expectError(
        'modules/cart/src/get-cart.ts',
        "import { fakeCatalog } from '@seam/catalog-contract/testing';\nexport const fake = fakeCatalog;\n",
        DEEP_IMPORT_RULE,
        /'@seam\/catalog-contract\/testing' import is restricted/,
      );
    });

    it('a deep import other than the testing entry of a contract, in a test file', async () => {
      await expectError(
        'modules/cart/src/get-cart.test.ts',
        "import { priceLines } from '@seam/catalog-contract/src/pricing';\nexport const price = priceLines;\n",
        DEEP_IMPORT_RULE,
        /'@seam\/catalog-contract\/src\/pricing' import is restricted/,
      );
    });

    it('a deep dynamic import', async () => {
      await expectError(
        'apps/server/src/load-modules.ts',
        "export const load = () => import('@seam/catalog/src/index');\n",
        DYNAMIC_DEEP_IMPORT_RULE,
        /deep imports bypass its public surface/,
      );
    });

    it("a relative import into another module's folder", async () => {
      await expectError(
        'modules/catalog/src/find-product.ts',
        "import { findUser } from '../../users/src/find-user';\nexport const find = findUser;\n",
        BOUNDARY_RULE,
        /Projects cannot be imported by a relative or absolute path/,
      );
    });

    it("a relative import from a module into its own contract's folder", async () => {
      await expectError(
        'modules/users/src/find-user.ts',
        "import { UserSchema } from '../contract/src/index';\nexport const schema = UserSchema;\n",
        BOUNDARY_RULE,
        /Projects cannot be imported by a relative or absolute path/,
      );
    });

    it('a contract importing a module', async () => {
      await expectUpwardImportRejected(
        'modules/catalog/contract/src/index.ts',
        "import { catalog } from '@seam/catalog';\nexport const definition = catalog;\n",
        'type:contract',
      );
    });

    it('a contract importing another contract', async () => {
      await expectError(
        'modules/catalog/contract/src/index.ts',
        "import { UserSchema } from '@seam/users-contract';\nexport const schema = UserSchema;\n",
        BOUNDARY_RULE,
        /tagged with "type:contract" can only depend on libs tagged with "type:platform"/,
      );
    });

    it('the shopper tool importing a module definition', async () => {
      await expectError(
        'apps/shopper/src/shop.ts',
        "import orders from '@seam/orders';\nexport const definition = orders;\n",
        BOUNDARY_RULE,
        /tagged with "type:tool" can only depend on libs tagged with "type:contract", "type:platform"/,
      );
    });

    it('a module importing the shopper tool', async () => {
      await expectError(
        'modules/cart/src/get-cart.ts',
        "import { shop } from '@seam/shopper';\nexport const driver = shop;\n",
        BOUNDARY_RULE,
        /tagged with "type:module" can only depend on/,
      );
    });

    it('the shopper tool importing vitest or the platform test helpers', async () => {
      for (const source of ['vitest', '@seam/platform/testing']) {
        await expectError(
          'apps/shopper/src/shop.ts',
          `import * as helpers from '${source}';\nexport const used = helpers;\n`,
          DEEP_IMPORT_RULE,
          /@seam\/shopper runs outside tests too/,
        );
      }
    });

    it('the platform importing a contract', async () => {
      await expectUpwardImportRejected(
        'modules/platform/src/index.ts',
        "import { UserSchema } from '@seam/users-contract';\nexport const schema = UserSchema;\n",
        'type:platform',
      );
    });
  });

  describe('allows', () => {
    it("a module importing another module's contract and the platform", async () => {
      const errors = await boundaryErrors(
        'modules/catalog/src/find-product.ts',
        [
          "import { UserSchema } from '@seam/users-contract';",
          "import { createLogger } from '@seam/platform';",
          'export const parts = [UserSchema, createLogger];',
          '',
        ].join('\n'),
      );
      expect(errors).toEqual([]);
    });

    it('a module importing its own contract and its own files', async () => {
      const errors = await boundaryErrors(
        'modules/catalog/src/find-product.ts',
        [
          "import { ProductSchema } from '@seam/catalog-contract';",
          "import { products } from './schema';",
          'export const parts = [ProductSchema, products];',
          '',
        ].join('\n'),
      );
      expect(errors).toEqual([]);
    });

    it('an app importing module definitions, contracts and the platform', async () => {
      const errors = await boundaryErrors(
        'apps/server/src/main.ts',
        [
          "import { catalog } from '@seam/catalog';",
          "import { users } from '@seam/users';",
          "import { UserSchema } from '@seam/users-contract';",
          "import { createLogger } from '@seam/platform';",
          'export const parts = [catalog, users, UserSchema, createLogger];',
          '',
        ].join('\n'),
      );
      expect(errors).toEqual([]);
    });

    it('an app importing the shopper tool', async () => {
      const errors = await boundaryErrors(
        'apps/bench/src/checkout.ts',
        "import { shop } from '@seam/shopper';\nexport const driver = shop;\n",
      );
      expect(errors).toEqual([]);
    });

    it('the shopper tool importing contracts, and vitest in its tests', async () => {
      const errors = await boundaryErrors(
        'apps/shopper/src/shop.test.ts',
        [
          "import { TEST_CARDS } from '@seam/payments-contract';",
          "import { expect } from 'vitest';",
          'export const parts = [TEST_CARDS, expect];',
          '',
        ].join('\n'),
      );
      expect(errors).toEqual([]);
    });

    it('@seam/platform/testing in a test file', async () => {
      const errors = await boundaryErrors(
        'modules/catalog/src/find-product.test.ts',
        "import { createTestDatabase } from '@seam/platform/testing';\nexport const db = createTestDatabase;\n",
      );
      expect(errors).toEqual([]);
    });

    it.each(['modules/cart/src/get-cart.test.ts', 'modules/orders/src/test-support.ts'])(
      "a contract's fake (@seam/<module>-contract/testing) in %s",
      async (filePath) => {
        const errors = await boundaryErrors(
          filePath,
          "import { fakeCatalog } from '@seam/catalog-contract/testing';\nexport const fake = fakeCatalog;\n",
        );
        expect(errors).toEqual([]);
      },
    );

    it('@seam/platform/processes in an app', async () => {
      const errors = await boundaryErrors(
        'apps/e2e/src/support/cluster.ts',
        "import { startProcess } from '@seam/platform/processes';\nexport const start = startProcess;\n",
      );
      expect(errors).toEqual([]);
    });
  });
});

describe("the platform's layers", () => {
  const LAYER_RULE = 'seam/platform-layers';

  it('rejects an upward import (the database layer importing the event tables)', async () => {
    await expectError(
      'modules/platform/src/database.ts',
      "import { ensureEventTables } from './events/tables.js';\nexport const ensure = ensureEventTables;\n",
      LAYER_RULE,
      /^Upward import: database\.ts \(layer database\) imports events\/tables\.ts \(layer events\)/,
    );
  });

  it('rejects an import cycle inside a layer', async () => {
    // base-app.ts already imports problem.ts; problem.ts importing base-app.ts closes a cycle.
    await expectError(
      'modules/platform/src/http/problem.ts',
      "import { createBaseApp } from './base-app.js';\nexport const app = createBaseApp;\n",
      LAYER_RULE,
      /^Import cycle: http\/problem\.ts → http\/base-app\.ts → http\/problem\.ts/,
    );
  });

  it('rejects production code importing the test helpers', async () => {
    await expectError(
      'modules/platform/src/host/app.ts',
      "import { eventually } from '../testing/eventually.js';\nexport const wait = eventually;\n",
      LAYER_RULE,
      /must not import the platform's tools \(testing\/eventually\.ts\)/,
    );
  });

  it('accepts a downward import', async () => {
    const errors = await lintErrors(
      'modules/platform/src/host/app.ts',
      "import { AppError } from '../errors.js';\nexport const E = AppError;\n",
    );
    expect(errors.filter((error) => error.ruleId === LAYER_RULE)).toEqual([]);
  });
});
