import { table, text, bool } from './kit.ts';

export const users = table('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  // The first account registered on an instance administers it (mail outbox, instance settings).
  isInstanceAdmin: bool('is_instance_admin').notNull().default(false),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});
