/** An ISO time `m` minutes before now. */
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

/**
 * A small, realistic Flow Relay feed for one project: a ticket (PAY-12) seen in a GitHub push and
 * pull request and in Linear, an open question in Linear, and a Slack message holding a decision
 * and a next step. Times are taken when this module loads, so the feed is recent in every test.
 */
export const PAYMENTS_FEED = [
  { source: 'github', event_type: 'push', title: 'Push to acme/payments', content: 'PAY-12: replaced the legacy tax calc', resource: 'acme/payments', branch: 'main', author: 'ana', created_at: minutesAgo(50) },
  { source: 'github', event_type: 'pull_request', title: 'PR #341 PAY-12 pricing engine', content: 'Ready for review', resource: 'acme/payments', branch: 'feature/pay-12', author: 'ana', created_at: minutesAgo(40) },
  { source: 'linear', event_type: 'issue', title: 'PAY-12 Checkout refactor', content: 'Backfill historical invoices?', resource: 'team-core', priority: 'high', author: 'ben', created_at: minutesAgo(30) },
  { source: 'slack', event_type: 'message', title: '#payments message from chen', content: 'We decided to use flat per-artifact pricing. Next step: wire the new webhook.', resource: '#payments', author: 'chen', created_at: minutesAgo(20) },
];
