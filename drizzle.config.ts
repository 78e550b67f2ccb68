import { defineConfig } from 'drizzle-kit';

// SQLite migrations (the embedded default). Postgres has its own: drizzle.postgres.config.ts.
// `npm run db:generate` writes both.
process.env.BATON_SCHEMA_DIALECT = 'sqlite';

export default defineConfig({
  dialect: 'sqlite',
  schema: './packages/db/src/schema/index.ts',
  out: './drizzle/sqlite',
});
