import { and, eq } from 'drizzle-orm';
import { DEFAULT_ENVIRONMENTS, projectEnvironments, projects } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { conflict } from '../errors.ts';
import { requireRole, resolveActiveOrg } from '../orgs/access.ts';
import { newId } from '../util/ids.ts';
import { slugify, uniqueSlug } from '../util/slug.ts';
import { renderProject } from './render-project.ts';
import type { TCreateProjectInput } from './project.types.ts';

export function createProject(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: TCreateProjectInput) {
  const access = resolveActiveOrg(ctx, actor, activeOrgId);
  requireRole(access, 'member');
  return withTransaction(ctx, () => {
    const orgId = access.org.id;
    const taken = (slug: string) =>
      ctx.db
        .select({ id: projects.id })
        .from(projects)
        .where(and(eq(projects.orgId, orgId), eq(projects.slug, slug)))
        .get() !== undefined;
    let slug: string;
    if (input.slug) {
      if (taken(input.slug)) throw conflict(`A project with slug "${input.slug}" already exists in this organization`);
      slug = input.slug;
    } else {
      slug = uniqueSlug(slugify(input.name), taken);
    }
    const now = ctx.now().toISOString();
    const project = ctx.db
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
      .returning()
      .get();
    ctx.db
      .insert(projectEnvironments)
      .values(
        DEFAULT_ENVIRONMENTS.map((name) => ({
          id: newId(),
          projectId: project.id,
          name,
          status: 'active' as const,
          healthStatus: 'unknown' as const,
          createdAt: now,
          updatedAt: now,
        })),
      )
      .run();
    return renderProject(project);
  });
}
