import { table, text, uniqueIndex } from './kit.ts';
import { projects } from './projects.ts';

export const ENVIRONMENT_STATUSES = ['active', 'inactive', 'deploying', 'failed'] as const;
export const HEALTH_STATUSES = ['healthy', 'degraded', 'down', 'unknown'] as const;
export const DEFAULT_ENVIRONMENTS = ['development', 'staging', 'production'] as const;

export const projectEnvironments = table(
  'project_environments',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    url: text('url'),
    // Called by the agent's deploy tool; never exposed through the contract.
    deployHookUrl: text('deploy_hook_url'),
    status: text('status', { enum: ENVIRONMENT_STATUSES }).notNull().default('active'),
    lastDeployedAt: text('last_deployed_at'),
    healthStatus: text('health_status', { enum: HEALTH_STATUSES }),
    healthCheckedAt: text('health_checked_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('project_environments_project_name_uq').on(t.projectId, t.name)],
);
