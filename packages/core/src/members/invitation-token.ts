import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CoreContext } from '../context.ts';
import { randomToken } from '../util/ids.ts';

/** How long an invitation can be accepted. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Invitation tokens are `<nonce>.<signature>`: 24 random bytes, and an HMAC-SHA256 of them under a
 * key derived from the instance's secret key (BATON_SECRET_KEY, or the SQLite data dir's generated
 * key). A token another installation issued fails the signature before any lookup. The database
 * keeps only the token's SHA-256, so a copy of it cannot be turned into working links.
 */
const derivedKeys = new Map<string, Buffer>();
function signingKey(secretKey: string): Buffer {
  let key = derivedKeys.get(secretKey);
  if (!key) {
    key = createHmac('sha256', secretKey).update('baton/invitation-token/v1').digest();
    derivedKeys.set(secretKey, key);
  }
  return key;
}

const sign = (ctx: CoreContext, nonce: string) => createHmac('sha256', signingKey(ctx.config.secretKey)).update(nonce).digest();

export function newInvitationToken(ctx: CoreContext): string {
  const nonce = randomToken(24);
  return `${nonce}.${sign(ctx, nonce).toString('base64url')}`;
}

/** True when this installation signed the token (it may still be unknown, used, revoked or expired). */
export function isGenuineInvitationToken(ctx: CoreContext, token: string): boolean {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return false;
  // Compared as text: base64url decoding is lenient, and only the canonical form was ever issued.
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(sign(ctx, token.slice(0, dot)).toString('base64url'));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const invitationLink = (ctx: CoreContext, token: string) => `${ctx.config.publicUrl.replace(/\/$/, '')}/invitations/${token}`;
