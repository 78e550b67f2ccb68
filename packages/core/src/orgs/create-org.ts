import { eq } from 'drizzle-orm';
import { memberships, organizations } from '@baton/db';
import { withTransaction, type CoreContext } from '../context.ts';
import { conflict } from '../errors.ts';
import { newId } from '../util/ids.ts';
import { slugify, uniqueSlugAsync } from '../util/slug.ts';
import { renderOrganization } from './render-org.ts';
import type { TOrganization } from './org.types.ts';

export interface CreateOrgInput {
  name: string;
  slug?: string | undefined;
  ownerUserId: string;
}

/** Creates an org with its creator as owner. An explicit slug that is taken is a 409; a derived one gets a suffix. */
export async function createOrg(ctx: CoreContext, input: CreateOrgInput): Promise<TOrganization> {
  return withTransaction(ctx, async (ctx) => {
    const taken = async (slug: string) =>
      (await ctx.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug)))[0] !== undefined;
    let slug: string;
    if (input.slug) {
      if (await taken(input.slug)) throw conflict(`An organization with slug "${input.slug}" already exists`);
      slug = input.slug;
    } else {
      slug = await uniqueSlugAsync(slugify(input.name), taken);
    }
    const now = ctx.now().toISOString();
    const [org] = await ctx.db
      .insert(organizations)
      .values({ id: newId(), name: input.name, slug, createdAt: now, updatedAt: now })
      .returning();
    await ctx.db
      .insert(memberships)
      .values({ id: newId(), orgId: org!.id, userId: input.ownerUserId, role: 'owner', createdAt: now });
    return renderOrganization(org!, 'owner');
  });
}
