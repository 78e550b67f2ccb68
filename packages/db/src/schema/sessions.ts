import { table, text, integer, index } from './kit.ts';
import { users } from './users.ts';

// Shape required by @lucia-auth/adapter-drizzle: expires_at is unix seconds.
export const sessions = table(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);
