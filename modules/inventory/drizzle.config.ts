// drizzle-kit configuration of the inventory module. Generate a migration after
// changing src/schema.ts, from this folder:
//   npx drizzle-kit generate --config drizzle.config.ts
// then make its `CREATE SCHEMA` idempotent (`IF NOT EXISTS`): the platform
// migrator creates the schema before running migrations.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './migrations',
  schemaFilter: ['inventory'],
  migrations: { table: '__migrations', schema: 'inventory' },
});
