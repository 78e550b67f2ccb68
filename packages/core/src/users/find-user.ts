import { eq } from 'drizzle-orm';
import { users } from '@baton/db';
import type { CoreContext } from '../context.ts';

export const findUserByEmail = async (ctx: CoreContext, email: string) =>
  (await ctx.db.select().from(users).where(eq(users.email, email.toLowerCase())))[0];

export const findUserById = async (ctx: CoreContext, id: string) => (await ctx.db.select().from(users).where(eq(users.id, id)))[0];
