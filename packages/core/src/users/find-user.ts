import { eq } from 'drizzle-orm';
import { users } from '@baton/db';
import type { CoreContext } from '../context.ts';

export const findUserByEmail = (ctx: CoreContext, email: string) =>
  ctx.db.select().from(users).where(eq(users.email, email.toLowerCase())).get();

export const findUserById = (ctx: CoreContext, id: string) => ctx.db.select().from(users).where(eq(users.id, id)).get();
