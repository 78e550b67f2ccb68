import { eq } from 'drizzle-orm';
import { memberships, organizations } from '@baton/db';
import { withTransaction, type CoreContext } from '../context.ts';
import { conflict } from '../errors.ts';
import { newId } from '../util/ids.ts';
import { slugify, uniqueSlug } from '../util/slug.ts';
import { renderOrganization } from './render-org.ts';
import type { TOrganization } from './org.types.ts';

export interface CreateOrgInput {
  name: string;
  slug?: string | undefined;
  ownerUserId: string;
}

/** Creates an org with its creator as owner. An explicit slug that is taken is a 409; a derived one gets a suffix. */
export function createOrg(ctx: CoreContext, input: CreateOrgInput): TOrganization {
  return withTransaction(ctx, () => {
    const taken = (slug: string) =>
      ctx.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug)).get() !== undefined;
    let slug: string;
    if (input.slug) {
      if (taken(input.slug)) throw conflict(`An organization with slug "${input.slug}" already exists`);
      slug = input.slug;
    } else {
      slug = uniqueSlug(slugify(input.name), taken);
    }
    const now = ctx.now().toISOString();
    const org = ctx.db
      .insert(organizations)
      .values({ id: newId(), name: input.name, slug, createdAt: now, updatedAt: now })
      .returning()
      .get();
    ctx.db
      .insert(memberships)
      .values({ id: newId(), orgId: org.id, userId: input.ownerUserId, role: 'owner', createdAt: now })
      .run();
    return renderOrganization(org, 'owner');
  });
}
