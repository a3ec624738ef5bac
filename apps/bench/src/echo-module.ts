// echo: a module with one operation that answers its input and touches no
// database, so the transport benchmark can show what a call costs apart from
// the query behind it. It has no tables (an empty migrations journal).
import { fileURLToPath } from 'node:url';
import { defineContract, defineModule, defineOperation, z } from '@seam/platform';

const EchoSchema = z.object({ id: z.uuid() });

export const echoContract = defineContract({
  name: 'echo',
  description: 'Answers its input (benchmark fixture)',
  operations: {
    echo: defineOperation({
      summary: 'Returns the input unchanged, without any I/O',
      input: EchoSchema,
      output: EchoSchema,
      idempotent: true,
    }),
  },
  routes: {},
});

/** echoHandler answers its input; the transport benchmark also calls it directly. */
export async function echoHandler({ id }: { id: string }): Promise<{ id: string }> {
  return { id };
}

export const echoModule = defineModule({
  contract: echoContract,
  migrationsFolder: fileURLToPath(new URL('./echo-migrations', import.meta.url)),
  setup: () => ({
    operations: { echo: echoHandler },
    routes() {},
  }),
});
