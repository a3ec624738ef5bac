// drizzle-kit configuration of the cart module. Generate a migration after
// changing src/schema.ts, from this folder:
//   npx drizzle-kit generate --config drizzle.config.ts
// then make its `CREATE SCHEMA` idempotent (`IF NOT EXISTS`): the platform
// migrator creates the schema before running migrations.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './migrations',
  schemaFilter: ['cart'],
  migrations: { table: '__migrations', schema: 'cart' },
});
