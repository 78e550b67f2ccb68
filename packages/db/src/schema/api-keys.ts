import { table, text, index } from './kit.ts';
import { users } from './users.ts';
import { organizations } from './organizations.ts';

export const API_KEY_KINDS = ['mk_live', 'mk_test', 'fr'] as const;

export const apiKeys = table(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: API_KEY_KINDS }).notNull(),
    // SHA-256 hex of the full key; the key itself is shown once and never stored.
    keyHash: text('key_hash').notNull().unique(),
    // First characters of the key, so a person can tell keys apart in a list.
    prefix: text('prefix').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // mk_* keys are bound to this org; fr keys record the org they were made in but span the user's orgs.
    orgId: text('org_id').references(() => organizations.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull(),
    lastUsedAt: text('last_used_at'),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('api_keys_org_idx').on(t.orgId, t.createdAt), index('api_keys_user_idx').on(t.userId, t.createdAt)],
);
