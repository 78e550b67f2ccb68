import { randomUUID } from 'node:crypto';
import { rawStatement, relaxDurability, type Store } from '@baton/db';
import type { LoginThrottleOptions } from './login-throttle.ts';

/**
 * The rate limits and the login throttle counted in the database, so that every node of a cluster
 * counts against one limit (a client spreading requests over nodes gains nothing). Used when the
 * store is shared (Postgres); a database one process owns counts in memory (rate-limit.ts,
 * login-throttle.ts), which is exact there and costs no write per request.
 */

const bump = rawStatement<{ count: number }>(
  'INSERT INTO rate_counters (key, window_start, count) VALUES (?, ?, 1) ' +
    'ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + 1 RETURNING count',
);
// Per limit: limits with longer windows keep their counters longer.
const pruneCounters = rawStatement('DELETE FROM rate_counters WHERE window_start < ? AND key LIKE ?');

/** Fixed-window request counter per key, shared through the database. */
export class DbRateLimiter {
  private prunedWindow = 0;
  constructor(
    private readonly store: Store,
    /** Keeps the counters of different limits apart (e.g. `relay-key`, `relay-user`). */
    private readonly name: string,
    readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  /** 0 when the request may go ahead, else the seconds until the window resets. */
  async hit(key: string, now = Date.now()): Promise<number> {
    if (this.limit <= 0) return 0;
    const start = now - (now % this.windowMs);
    const row = await this.store.unit(async (tx) => {
      // A counter lost in a crash lets a few requests more through: not worth a disk flush each.
      await relaxDurability(tx);
      // Once per window per node: older windows decide nothing any more.
      if (this.prunedWindow !== start) {
        this.prunedWindow = start;
        await pruneCounters.run(tx, start - this.windowMs, `${this.name}:%`);
      }
      return bump.get(tx, `${this.name}:${key}`, start);
    }, 'rate limit');
    const count = Number(row?.count ?? 0);
    return count > this.limit ? Math.max(1, Math.ceil((start + this.windowMs - now) / 1000)) : 0;
  }
}

const recentFailures = rawStatement<{ at: number }>('SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?');
const addFailure = rawStatement('INSERT INTO login_failures (id, key, at) VALUES (?, ?, ?)');
const forgetOld = rawStatement('DELETE FROM login_failures WHERE key = ? AND at <= ?');
const forgetKey = rawStatement('DELETE FROM login_failures WHERE key = ?');

/** Failed logins per email and per client address in a sliding window, shared through the database. */
export class DbLoginThrottle {
  private readonly windowMs: number;
  private readonly maxPerEmail: number;
  private readonly maxPerIp: number;

  constructor(
    private readonly store: Store,
    opts: LoginThrottleOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    this.maxPerEmail = opts.maxPerEmail ?? 5;
    this.maxPerIp = opts.maxPerIp ?? 50;
  }

  /** Seconds until a new attempt is allowed, or 0 if it is allowed now. */
  async retryAfter(email: string, ip: string, now = Date.now()): Promise<number> {
    let wait = 0;
    for (const [key, max] of [
      [`e:${email}`, this.maxPerEmail],
      [`i:${ip}`, this.maxPerIp],
    ] as const) {
      const rows = await recentFailures.all(this.store.reader, key, now - this.windowMs, max);
      // The max-th most recent failure leaves the window last among those that hold the limit.
      if (rows.length >= max) wait = Math.max(wait, Math.ceil((Number(rows[max - 1]!.at) + this.windowMs - now) / 1000));
    }
    return wait;
  }

  async recordFailure(email: string, ip: string, now = Date.now()): Promise<void> {
    await this.store.unit(async (tx) => {
      for (const key of [`e:${email}`, `i:${ip}`]) {
        await forgetOld.run(tx, key, now - this.windowMs);
        await addFailure.run(tx, randomUUID(), key, now);
      }
    }, 'login failure');
  }

  async recordSuccess(email: string): Promise<void> {
    await this.store.unit((tx) => forgetKey.run(tx, `e:${email}`), 'login success');
  }
}
