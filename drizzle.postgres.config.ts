import { defineConfig } from 'drizzle-kit';

// The same table declarations (packages/db/src/schema), emitted with the Postgres column kit.
process.env.BATON_SCHEMA_DIALECT = 'postgres';

export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/db/src/schema/index.ts',
  out: './drizzle/postgres',
});
