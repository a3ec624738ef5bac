// `npm run docs:generate`: rewrites the generated parts of docs/ (module
// references, the module graph). With --check it writes nothing and exits 1
// when a page is out of date.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDocs, shopModel } from './generate.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const check = process.argv.includes('--check');
const stale = (await renderDocs(root, await shopModel())).filter(
  (doc) => doc.content !== doc.current,
);
for (const doc of stale) {
  if (!check) await writeFile(join(root, doc.path), doc.content);
  console.log(`${check ? 'out of date' : 'wrote'} ${doc.path}`);
}
if (stale.length === 0) console.log('docs are up to date');
if (check && stale.length > 0) {
  console.error('run npm run docs:generate');
  process.exitCode = 1;
}
