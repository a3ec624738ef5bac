// `npm run db:migrate`: applies the migrations of the modules SEAM_MODULES selects.
import { isAppError, migrate } from '@seam/platform';
import { modules } from './modules.js';

try {
  const migrated = await migrate({ modules, env: process.env });
  console.log(`seam: migrated ${migrated.join(', ')}`);
} catch (error) {
  console.error(`seam: migration failed: ${isAppError(error) ? error.detail : String(error)}`);
  process.exit(1);
}
