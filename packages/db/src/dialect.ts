export type Dialect = 'sqlite' | 'postgres';

/** A `postgres://` or `postgresql://` URL selects Postgres; anything else (unset) is SQLite. */
export function dialectOf(databaseUrl: string | undefined | null): Dialect {
  return databaseUrl && /^postgres(ql)?:\/\//i.test(databaseUrl.trim()) ? 'postgres' : 'sqlite';
}

/**
 * The dialect this process's tables are declared in, fixed when the schema loads: a process runs
 * on one engine. It follows BATON_DATABASE_URL (the server, the CLI, tests); BATON_SCHEMA_DIALECT
 * overrides it for tools that need a dialect without a database (drizzle-kit generating the
 * Postgres migrations).
 */
export const SCHEMA_DIALECT: Dialect = (() => {
  const forced = process.env.BATON_SCHEMA_DIALECT;
  if (forced === 'sqlite' || forced === 'postgres') return forced;
  return dialectOf(process.env.BATON_DATABASE_URL);
})();
