import { table, text, index, uniqueIndex } from './kit.ts';
import { users } from './users.ts';
import { organizations } from './organizations.ts';

export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;

export const memberships = table(
  'memberships',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    // A member or viewer may be made admin until this time; past it the base role applies again.
    temporaryAdminUntil: text('temporary_admin_until'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('memberships_org_user_uq').on(t.orgId, t.userId),
    index('memberships_user_idx').on(t.userId, t.createdAt),
  ],
);
