/**
 * Counts failed logins per email and per client IP in a sliding window. Past the limit, further
 * attempts are refused (429) until the window has moved on, whether or not the password is right,
 * so guessing cannot continue in parallel with a correct login.
 */
export interface LoginThrottleOptions {
  windowMs?: number;
  maxPerEmail?: number;
  maxPerIp?: number;
}

export class LoginThrottle {
  private readonly windowMs: number;
  private readonly maxPerEmail: number;
  private readonly maxPerIp: number;
  private readonly failures = new Map<string, number[]>();

  constructor(opts: LoginThrottleOptions = {}) {
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    this.maxPerEmail = opts.maxPerEmail ?? 5;
    this.maxPerIp = opts.maxPerIp ?? 50;
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds until a new attempt is allowed, or 0 if it is allowed now. */
  retryAfter(email: string, ip: string, now = Date.now()): number {
    const checks: Array<[string, number]> = [
      [`e:${email}`, this.maxPerEmail],
      [`i:${ip}`, this.maxPerIp],
    ];
    let wait = 0;
    for (const [key, max] of checks) {
      const list = this.recent(key, now);
      if (list.length >= max) wait = Math.max(wait, Math.ceil((list[list.length - max]! + this.windowMs - now) / 1000));
    }
    return wait;
  }

  recordFailure(email: string, ip: string, now = Date.now()): void {
    for (const key of [`e:${email}`, `i:${ip}`]) {
      const list = this.recent(key, now);
      list.push(now);
      this.failures.set(key, list);
    }
    if (this.failures.size > 100_000) this.prune(now);
  }

  recordSuccess(email: string): void {
    this.failures.delete(`e:${email}`);
  }

  private prune(now: number): void {
    for (const key of this.failures.keys()) this.recent(key, now);
  }
}

/** The login throttle, counted in memory (LoginThrottle) or in the database (DbLoginThrottle). */
export interface FailureThrottle {
  retryAfter(email: string, ip: string, now?: number): number | Promise<number>;
  recordFailure(email: string, ip: string, now?: number): void | Promise<void>;
  recordSuccess(email: string): void | Promise<void>;
}
