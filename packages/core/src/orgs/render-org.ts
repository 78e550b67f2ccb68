import { formatMicros } from '../util/money.ts';
import type { OrgRow } from './access.ts';
import type { TOrganization } from './org.types.ts';

export function renderOrganization(org: OrgRow, role: string): TOrganization {
  return {
    id: org.id,
    name: org.name,
    slug: org.slug,
    logoUrl: org.logoUrl,
    subscriptionTier: org.subscriptionTier,
    stripeCustomerId: org.stripeCustomerId,
    stripeSubscriptionId: org.stripeSubscriptionId,
    settings: org.settings,
    constitutionVersion: org.constitutionVersion,
    autonomyLevel: org.autonomyLevel,
    creditBalance: formatMicros(org.creditBalance),
    maxSeats: org.maxSeats,
    isActive: org.isActive,
    suspendedAt: org.suspendedAt,
    suspendedReason: org.suspendedReason,
    createdAt: org.createdAt,
    updatedAt: org.updatedAt,
    role,
  };
}
