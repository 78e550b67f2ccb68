import { table, text, index, uniqueIndex } from './kit.ts';
import { organizations } from './organizations.ts';

export const PROJECT_STATUSES = ['active', 'paused', 'archived'] as const;

export const projects = table(
  'projects',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    description: text('description'),
    status: text('status', { enum: PROJECT_STATUSES }).notNull().default('active'),
    githubRepoUrl: text('github_repo_url'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('projects_org_slug_uq').on(t.orgId, t.slug),
    index('projects_org_created_idx').on(t.orgId, t.createdAt),
    index('projects_org_status_created_idx').on(t.orgId, t.status, t.createdAt),
  ],
);
