import { z } from 'zod';
import { PROJECT_STATUSES, ENVIRONMENT_STATUSES, HEALTH_STATUSES } from '@baton/db';

export const ZProjectStatus = z.enum(PROJECT_STATUSES).meta({ id: 'ProjectStatus' });

export const ZProject = z
  .object({
    id: z.string(),
    orgId: z.string(),
    name: z.string(),
    slug: z.string(),
    description: z.string().nullable(),
    status: ZProjectStatus,
    githubRepoUrl: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Project' });
export type TProject = z.infer<typeof ZProject>;

export const ZProjectEnvironment = z
  .object({
    id: z.string(),
    name: z.string(),
    url: z.string().nullable(),
    status: z.enum(ENVIRONMENT_STATUSES),
    lastDeployedAt: z.string().nullable(),
    healthStatus: z.enum(HEALTH_STATUSES).nullable(),
    healthCheckedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ProjectEnvironment' });

const ZUrl = z.url({ protocol: /^https?$/ }).max(1000);
const ZProjectSlug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase letters, digits and single dashes');

export const ZCreateProjectInput = z.object({
  name: z.string().trim().min(1).max(255),
  slug: ZProjectSlug.optional(),
  description: z.string().max(5000).optional(),
  githubRepoUrl: ZUrl.optional(),
});
export type TCreateProjectInput = z.infer<typeof ZCreateProjectInput>;

export const ZUpdateProjectInput = z.object({
  id: z.string().max(100),
  name: z.string().trim().min(1).max(255).optional(),
  description: z.string().max(5000).optional(),
  status: ZProjectStatus.optional(),
  githubRepoUrl: ZUrl.nullable().optional(),
});
export type TUpdateProjectInput = z.infer<typeof ZUpdateProjectInput>;

export const ZListProjectsInput = z.object({
  status: ZProjectStatus.optional(),
  limit: z.number().int().min(1).max(100).default(25),
  offset: z.number().int().min(0).default(0),
});
export type TListProjectsInput = z.infer<typeof ZListProjectsInput>;
