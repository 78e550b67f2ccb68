import { DATABASE_UNAVAILABLE, isDatabaseUnavailable, isUnstorableText } from '@baton/db';

export const APP_ERROR_CODES = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
} as const;

export type AppErrorCode = keyof typeof APP_ERROR_CODES;

/** The one error type of the domain. Each transport converts it once; its message is safe to show. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: { retryAfterSeconds?: number },
  ) {
    super(message);
  }

  get status(): number {
    return APP_ERROR_CODES[this.code];
  }
}

export const notFound = (what = 'Not found') => new AppError('NOT_FOUND', what);
export const forbidden = (why = 'Insufficient permissions') => new AppError('FORBIDDEN', why);
export const badRequest = (why: string) => new AppError('BAD_REQUEST', why);
export const conflict = (why: string) => new AppError('CONFLICT', why);
export const unauthorized = (why = 'Unauthorized') => new AppError('UNAUTHORIZED', why);

/**
 * The error a transport sends for e: an AppError as it is; the database out of reach (Postgres down
 * or restarting) as 503, so clients retry; null for anything else (a bug: log it, answer 500).
 */
export function knownError(e: unknown): AppError | null {
  if (e instanceof AppError) return e;
  if (isDatabaseUnavailable(e)) return new AppError('UNAVAILABLE', DATABASE_UNAVAILABLE, { retryAfterSeconds: 5 });
  if (isUnstorableText(e)) return new AppError('BAD_REQUEST', 'Text may not contain the NUL character (\\u0000)');
  return null;
}

/**
 * An unexpected error as the operator's log needs it: its message and those of its causes (drizzle
 * wraps the driver's error, which says what the database refused, as the cause).
 */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  for (let err = e, depth = 0; err !== undefined && err !== null && depth < 6; err = (err as { cause?: unknown }).cause, depth++) {
    parts.push(String(err));
    if (typeof err !== 'object') break;
  }
  return parts.join('\ncaused by: ');
}
