import { table, text, integer, bool, json } from './kit.ts';

export const AUTONOMY_LEVELS = ['observe', 'assist', 'act', 'autopilot'] as const;
export const SUBSCRIPTION_TIERS = ['free', 'starter', 'pro', 'business', 'enterprise'] as const;

export const organizations = table('organizations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  logoUrl: text('logo_url'),
  subscriptionTier: text('subscription_tier', { enum: SUBSCRIPTION_TIERS }).notNull().default('free'),
  stripeCustomerId: text('stripe_customer_id'),
  stripeSubscriptionId: text('stripe_subscription_id'),
  settings: json<Record<string, unknown>>('settings').notNull().default({}),
  constitutionVersion: integer('constitution_version').notNull().default(1),
  autonomyLevel: text('autonomy_level', { enum: AUTONOMY_LEVELS }).notNull().default('assist'),
  // Micro-credits (1 credit = 1_000_000): integers avoid float drift in the ledger.
  creditBalance: integer('credit_balance').notNull().default(0),
  maxSeats: integer('max_seats').notNull().default(5),
  isActive: bool('is_active').notNull().default(true),
  suspendedAt: text('suspended_at'),
  suspendedReason: text('suspended_reason'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});
