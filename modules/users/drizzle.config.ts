// drizzle-kit settings of the users module. Run from this folder:
//   npx drizzle-kit generate
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './migrations',
  schemaFilter: ['users'],
  migrations: { table: '__migrations', schema: 'users' },
});
