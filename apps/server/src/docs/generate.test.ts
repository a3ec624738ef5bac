// The generated parts of docs/ are what the modules say now: regenerated in
// memory from the server's modules and compared with the files on disk.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDocs, shopModel, type ShopModel } from './generate.js';
import { GENERATED_END, GENERATED_START } from './render.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

let model: ShopModel;
let scratch: string;

beforeAll(async () => {
  model = await shopModel();
  scratch = await mkdtemp(join(tmpdir(), 'seam-docs-test-'));
  await cp(join(ROOT, 'docs'), join(scratch, 'docs'), { recursive: true });
}, 60_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('the generated docs', () => {
  it('are up to date with the modules (else: run npm run docs:generate)', async () => {
    const docs = await renderDocs(ROOT, model);
    expect(docs.map((doc) => doc.path).sort()).toEqual([
      'docs/architecture.md',
      'docs/modules/cart.md',
      'docs/modules/catalog.md',
      'docs/modules/inventory.md',
      'docs/modules/notifications.md',
      'docs/modules/orders.md',
      'docs/modules/payments.md',
      'docs/modules/users.md',
    ]);
    for (const doc of docs) {
      expect(doc.current, `${doc.path} is out of date: run npm run docs:generate`).toBe(
        doc.content,
      );
    }
  });

  it('catches a hand edit inside the generated part', async () => {
    const path = 'docs/modules/catalog.md';
    const page = await readFile(join(ROOT, path), 'utf8');
    await writeFile(join(scratch, path), page.replace('| Create a product |', '| Make one |'));
    const doc = (await renderDocs(scratch, model)).find((d) => d.path === path)!;
    expect(doc.current).toContain('| Make one |');
    expect(doc.content).toBe(page);
  });

  it('keeps a hand edit outside the generated part', async () => {
    const path = 'docs/modules/cart.md';
    const page = await readFile(join(ROOT, path), 'utf8');
    const edited = page.replace('# Cart module', '# Cart module\n\nA note written by hand.');
    await writeFile(join(scratch, path), edited);
    const doc = (await renderDocs(scratch, model)).find((d) => d.path === path)!;
    expect(doc.content).toBe(edited);
  });

  it('writes a page for a module that has none', async () => {
    await rm(join(scratch, 'docs/modules/payments.md'));
    const doc = (await renderDocs(scratch, model)).find(
      (d) => d.path === 'docs/modules/payments.md',
    )!;
    expect(doc.current).toBeUndefined();
    expect(doc.content).toMatch(
      /^# Payments module\n\nA simulated card provider: charges, declines and refunds\.\n/,
    );
    expect(doc.content).toContain(GENERATED_START);
    expect(doc.content).toMatch(/\| `charge` +\|/);
    expect(doc.content).toContain(GENERATED_END);
  });

  it('refuses a page that lost its markers, naming it', async () => {
    const path = 'docs/modules/users.md';
    const page = await readFile(join(ROOT, path), 'utf8');
    await writeFile(join(scratch, path), page.replace(GENERATED_END, ''));
    await expect(renderDocs(scratch, model)).rejects.toThrow(
      `docs/modules/users.md has no ${GENERATED_START} … ${GENERATED_END} pair`,
    );
    await writeFile(join(scratch, path), page);
  });

  it('draws the module graph in docs/architecture.md', async () => {
    const page = await readFile(join(ROOT, 'docs/architecture.md'), 'utf8');
    expect(page).toContain('  orders -->|calls| payments\n');
    expect(page).toContain('  orders -.->|OrderConfirmed| cart\n');
  });
});
