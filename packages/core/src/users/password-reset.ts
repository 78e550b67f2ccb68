import { and, eq, isNull } from 'drizzle-orm';
import { passwordResetTokens, sessions, users } from '@baton/db';
import { withTransaction, type CoreContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { sendMail } from '../mail/send-mail.ts';
import { newId, randomToken, sha256Hex } from '../util/ids.ts';
import { findUserByEmail } from './find-user.ts';

export const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;

/**
 * Issues a single-use reset token (stored only as its SHA-256) and mails the link. Unknown emails
 * do nothing, and the caller answers 200 either way, in the same time, so accounts cannot be enumerated.
 */
export function requestPasswordReset(ctx: CoreContext, email: string): void {
  const user = findUserByEmail(ctx, email);
  if (!user) return;
  const token = randomToken(32);
  const now = ctx.now();
  ctx.db
    .insert(passwordResetTokens)
    .values({
      id: newId(),
      userId: user.id,
      tokenHash: sha256Hex(token),
      expiresAt: new Date(now.getTime() + RESET_TOKEN_TTL_MS).toISOString(),
      createdAt: now.toISOString(),
    })
    .run();
  const link = `${ctx.config.publicUrl.replace(/\/$/, '')}/reset-password?token=${encodeURIComponent(token)}`;
  // Not awaited: an SMTP round trip only for existing accounts would reveal which emails exist.
  void sendMail(ctx, {
    to: user.email,
    subject: 'Reset your Baton password',
    text:
      `Hello ${user.name},\n\nSomeone (hopefully you) asked to reset the password of your Baton account.\n` +
      `Open this link within one hour to choose a new password:\n\n${link}\n\n` +
      `Or send this token to POST /api/v1/auth/reset-password:\n${token}\n\n` +
      `If you did not ask for this, ignore this mail; your password stays as it is.\n`,
  });
}

/** Consumes the token and sets the new password hash; every session of the user is ended. */
export function resetPassword(ctx: CoreContext, token: string, newPasswordHash: string): void {
  withTransaction(ctx, () => {
    const now = ctx.now().toISOString();
    const row = ctx.db
      .select()
      .from(passwordResetTokens)
      .where(and(eq(passwordResetTokens.tokenHash, sha256Hex(token)), isNull(passwordResetTokens.usedAt)))
      .get();
    if (!row || row.expiresAt <= now) throw badRequest('Invalid or expired reset token');
    ctx.db.update(passwordResetTokens).set({ usedAt: now }).where(eq(passwordResetTokens.id, row.id)).run();
    ctx.db.update(users).set({ passwordHash: newPasswordHash, updatedAt: now }).where(eq(users.id, row.userId)).run();
    ctx.db.delete(sessions).where(eq(sessions.userId, row.userId)).run();
  });
}
