import { table, text, integer, primaryKey } from './kit.ts';
import { organizations } from './organizations.ts';

/**
 * Runs per (org, project, status), kept exact by triggers on `runs` (migrations: SQLite 0002 and
 * 0008, Postgres 0001, 0004 and 0005). List endpoints read their `count` here (the sum over shards)
 * instead of counting an org's whole index, so a count costs the same at ten thousand runs as at a
 * million. project_key is '' for no project.
 *
 * `shard` spreads one count over several rows: on Postgres each change lands on the shard of its
 * connection (backend pid % 16), so concurrent run creations and stage changes in one project do
 * not queue on one row lock until their commit. SQLite writes one unit at a time and uses shard 0 only.
 */
export const runCounts = table(
  'run_counts',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    projectKey: text('project_key').notNull(),
    status: text('status').notNull(),
    shard: integer('shard').notNull().default(0),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.projectKey, t.status, t.shard] })],
);
