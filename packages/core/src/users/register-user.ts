import { count, eq } from 'drizzle-orm';
import { users } from '@baton/db';
import { withTransaction, type CoreContext } from '../context.ts';
import { conflict } from '../errors.ts';
import { createOrg } from '../orgs/create-org.ts';
import { newId } from '../util/ids.ts';

export interface RegisterUserInput {
  email: string;
  name: string;
  passwordHash: string;
  orgName?: string | undefined;
}

/** Creates the user and their organization in one transaction. The instance's first user administers it. */
export async function registerUser(ctx: CoreContext, input: RegisterUserInput) {
  return withTransaction(ctx, async (ctx) => {
    if ((await ctx.db.select({ id: users.id }).from(users).where(eq(users.email, input.email)))[0]) {
      throw conflict('An account with this email already exists');
    }
    const isFirst = ((await ctx.db.select({ n: count() }).from(users))[0]?.n ?? 0) === 0;
    const now = ctx.now().toISOString();
    const [user] = await ctx.db
      .insert(users)
      .values({
        id: newId(),
        email: input.email,
        name: input.name,
        passwordHash: input.passwordHash,
        isInstanceAdmin: isFirst,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const org = await createOrg(ctx, { name: input.orgName ?? `${input.name}'s Organization`, ownerUserId: user!.id });
    return {
      user: { id: user!.id, email: user!.email, name: user!.name },
      organization: { id: org.id, name: org.name, slug: org.slug },
    };
  });
}
