import { z } from 'zod';

export const ZRelayProjects = z.object({
  account_type: z.enum(['personal', 'business']),
  organizations: z.array(
    z.object({ id: z.string(), name: z.string(), slug: z.string(), role: z.string(), is_temporary_admin: z.boolean() }),
  ),
  projects: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      slug: z.string(),
      description: z.string(),
      organization_id: z.string(),
      organization_name: z.string(),
      organization_slug: z.string(),
      project_type: z.enum(['organization', 'personal']),
      access_role: z.string(),
      created_at: z.string(),
      updated_at: z.string(),
    }),
  ),
});
