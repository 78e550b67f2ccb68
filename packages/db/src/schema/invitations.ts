import { table, text, index } from './kit.ts';
import { users } from './users.ts';
import { organizations } from './organizations.ts';
import { ROLES } from './memberships.ts';

// An invitation to join an org with a role, sent by mail. The token (HMAC-signed with the
// instance's secret key) is in the mail only: like reset tokens and API keys, it is stored as its
// SHA-256. Single use: accepting sets accepted_at; revoking sets revoked_at; it expires at expires_at.
export const invitations = table(
  'invitations',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    // Lower-cased; the accepting account's email must be this one.
    email: text('email').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    invitedByUserId: text('invited_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: text('expires_at').notNull(),
    acceptedAt: text('accepted_at'),
    acceptedByUserId: text('accepted_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: text('revoked_at'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('invitations_org_created_idx').on(t.orgId, t.createdAt), index('invitations_org_email_idx').on(t.orgId, t.email)],
);
