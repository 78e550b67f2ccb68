import { and, eq } from 'drizzle-orm';
import { DEFAULT_ENVIRONMENTS, projectEnvironments, projects } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { conflict } from '../errors.ts';
import { requireRole, resolveActiveOrg } from '../orgs/access.ts';
import { newId } from '../util/ids.ts';
import { slugify, uniqueSlugAsync } from '../util/slug.ts';
import { renderProject } from './render-project.ts';
import type { TCreateProjectInput } from './project.types.ts';

export async function createProject(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: TCreateProjectInput) {
  // The role is checked in the unit that writes, so no change of role can slip in between.
  return withTransaction(ctx, async (ctx) => {
    const access = await resolveActiveOrg(ctx, actor, activeOrgId);
    requireRole(access, 'member');
    const orgId = access.org.id;
    const taken = async (slug: string) =>
      (
        await ctx.db
          .select({ id: projects.id })
          .from(projects)
          .where(and(eq(projects.orgId, orgId), eq(projects.slug, slug)))
      )[0] !== undefined;
    let slug: string;
    if (input.slug) {
      if (await taken(input.slug)) throw conflict(`A project with slug "${input.slug}" already exists in this organization`);
      slug = input.slug;
    } else {
      slug = await uniqueSlugAsync(slugify(input.name), taken);
    }
    const now = ctx.now().toISOString();
    const [project] = await ctx.db
      .insert(projects)
      .values({
        id: newId(),
        orgId,
        name: input.name,
        slug,
        description: input.description ?? null,
        githubRepoUrl: input.githubRepoUrl ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await ctx.db.insert(projectEnvironments).values(
      DEFAULT_ENVIRONMENTS.map((name) => ({
        id: newId(),
        projectId: project!.id,
        name,
        status: 'active' as const,
        healthStatus: 'unknown' as const,
        createdAt: now,
        updatedAt: now,
      })),
    );
    return renderProject(project!);
  });
}
