// `npm run db:migrate`: applies the migrations of the modules SEAM_MODULES selects.
import { migrate, runMain } from '@seam/platform';
import { modules } from './modules.js';

await runMain('seam db:migrate', async () => {
  const migrated = await migrate({ modules, env: process.env });
  console.log(`seam: migrated ${migrated.join(', ')}`);
});
