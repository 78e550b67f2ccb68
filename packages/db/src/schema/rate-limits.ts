import { table, text, integer, index, primaryKey } from './kit.ts';

/**
 * Request counters shared by every node of a cluster (the Flow Relay per-key and per-user limits):
 * one row per key and fixed window, counted up in one statement. Windows older than the last one
 * are deleted as new ones open.
 */
export const rateCounters = table(
  'rate_counters',
  {
    key: text('key').notNull(),
    /** Start of the window, in ms since the epoch. */
    windowStart: integer('window_start').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] }), index('rate_counters_window_idx').on(t.windowStart)],
);

/** Failed logins by email and by client address, for the cluster-wide login throttle. */
export const loginFailures = table(
  'login_failures',
  {
    id: text('id').primaryKey(),
    /** `e:<email>` or `i:<address>`. */
    key: text('key').notNull(),
    /** ms since the epoch. */
    at: integer('at').notNull(),
  },
  (t) => [index('login_failures_key_at_idx').on(t.key, t.at)],
);
