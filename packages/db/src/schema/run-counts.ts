import { table, text, integer, primaryKey } from './kit.ts';
import { organizations } from './organizations.ts';

/**
 * Runs per (org, project, status), kept exact by SQLite triggers on `runs` (see the migration
 * 0002_run_counts). List endpoints read their `count` here instead of counting an org's whole index,
 * so a count costs the same at ten thousand runs as at a million. project_key is '' for no project.
 */
export const runCounts = table(
  'run_counts',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    projectKey: text('project_key').notNull(),
    status: text('status').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.projectKey, t.status] })],
);
