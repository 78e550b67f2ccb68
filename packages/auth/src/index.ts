export { hashPassword, verifyPassword, ARGON2_OPTIONS } from './passwords.ts';
export { generateApiKey, hashApiKey, surfaceOfKey, type ApiKeyKind, type Surface } from './api-keys.ts';
export { createSessionAuth, createLucia, SESSION_COOKIE_NAME, type SessionAuth } from './lucia.ts';
export { LoginThrottle, type LoginThrottleOptions, type FailureThrottle } from './login-throttle.ts';
export { RateLimiter, type RequestLimiter } from './rate-limit.ts';
export { DbRateLimiter, DbLoginThrottle } from './db-limits.ts';
export { resolveCredentials, readCookie, WRONG_KEY_KIND, type ResolvedActor, type CredentialResult, type CredentialInput } from './credentials.ts';
export { CROSS_SITE_REFUSED, createSameOriginPolicy, isCrossSiteRequest, isHttps, isJsonContentType, isSafeMethod, ownOrigin, type SameOriginPolicy } from './csrf.ts';
