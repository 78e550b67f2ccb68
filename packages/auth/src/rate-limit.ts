/** Fixed-window request counter per key (Flow Relay documents 60 requests a minute per API key). */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  /** 0 when the request may go ahead, else the seconds until the window resets. */
  hit(key: string, now = Date.now()): number {
    if (this.limit <= 0) return 0;
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 100_000) this.prune(now);
    }
    w.count++;
    return w.count > this.limit ? Math.ceil((w.start + this.windowMs - now) / 1000) : 0;
  }

  private prune(now: number) {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}

/** A request limit, counted in memory (RateLimiter) or in the database (DbRateLimiter). */
export interface RequestLimiter {
  readonly limit: number;
  /** 0 when the request may go ahead, else the seconds until the window resets. */
  hit(key: string, now?: number): number | Promise<number>;
}
