import type { projects, projectEnvironments } from '@baton/db';
import type { TProject } from './project.types.ts';

export function renderProject(p: typeof projects.$inferSelect): TProject {
  return {
    id: p.id,
    orgId: p.orgId,
    name: p.name,
    slug: p.slug,
    description: p.description,
    status: p.status,
    githubRepoUrl: p.githubRepoUrl,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export function renderEnvironment(e: typeof projectEnvironments.$inferSelect) {
  return {
    id: e.id,
    name: e.name,
    url: e.url,
    status: e.status,
    lastDeployedAt: e.lastDeployedAt,
    healthStatus: e.healthStatus,
    healthCheckedAt: e.healthCheckedAt,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
