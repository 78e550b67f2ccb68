import { z } from 'zod';
import { AUTONOMY_LEVELS, SUBSCRIPTION_TIERS, ROLES } from '@baton/db';

export const ZAutonomyLevel = z.enum(AUTONOMY_LEVELS).meta({ id: 'AutonomyLevel' });
export const ZSubscriptionTier = z.enum(SUBSCRIPTION_TIERS).meta({ id: 'SubscriptionTier' });
export const ZRole = z.enum(ROLES);
export type TRole = z.infer<typeof ZRole>;

export const ZOrgSummary = z
  .object({ id: z.string(), name: z.string(), slug: z.string() })
  .meta({ id: 'OrgSummary' });

export const ZOrgListItem = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    subscriptionTier: ZSubscriptionTier,
    autonomyLevel: ZAutonomyLevel,
    createdAt: z.string(),
  })
  .meta({ id: 'OrgListItem' });

export const ZOrganization = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    logoUrl: z.string().nullable(),
    subscriptionTier: ZSubscriptionTier,
    stripeCustomerId: z.string().nullable(),
    stripeSubscriptionId: z.string().nullable(),
    settings: z.record(z.string(), z.unknown()),
    constitutionVersion: z.number().int(),
    autonomyLevel: ZAutonomyLevel,
    creditBalance: z.string(),
    maxSeats: z.number().int(),
    isActive: z.boolean(),
    suspendedAt: z.string().nullable(),
    suspendedReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    role: z.string().meta({ description: "The authenticated user's role in this org" }),
  })
  .meta({ id: 'Organization' });
export type TOrganization = z.infer<typeof ZOrganization>;

const ZName = z.string().trim().min(1).max(255);
const ZSlug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase letters, digits and single dashes');

export const ZCreateOrgInput = z.object({ name: ZName, slug: ZSlug.optional() });
export const ZUpdateOrgInput = z.object({
  id: z.string().max(100),
  name: ZName.optional(),
  autonomyLevel: ZAutonomyLevel.optional(),
});
export const ZOrgIdInput = z.object({ id: z.string().max(100) });
export { ZName, ZSlug };
