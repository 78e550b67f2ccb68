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
export async function requestPasswordReset(ctx: CoreContext, email: string): Promise<void> {
  const user = await findUserByEmail(ctx, email);
  if (!user) return;
  const token = randomToken(32);
  const now = ctx.now();
  const link = `${ctx.config.publicUrl.replace(/\/$/, '')}/reset-password?token=${encodeURIComponent(token)}`;
  // The token and its outbox row commit together.
  await withTransaction(ctx, async (ctx) => {
    await ctx.db.insert(passwordResetTokens).values({
      id: newId(),
      userId: user.id,
      tokenHash: sha256Hex(token),
      expiresAt: new Date(now.getTime() + RESET_TOKEN_TTL_MS).toISOString(),
      createdAt: now.toISOString(),
    });
    // Inside a unit this settles once the outbox row is written; the SMTP send starts after the
    // commit and is not awaited: an SMTP round trip only for existing accounts would reveal which
    // emails exist.
    await sendMail(ctx, {
      to: user.email,
      subject: 'Reset your Baton password',
      text:
        `Hello ${user.name},\n\nSomeone (hopefully you) asked to reset the password of your Baton account.\n` +
        `Open this link within one hour to choose a new password:\n\n${link}\n\n` +
        `Or send this token to POST /api/v1/auth/reset-password:\n${token}\n\n` +
        `If you did not ask for this, ignore this mail; your password stays as it is.\n`,
    });
  });
}

/** Consumes the token and sets the new password hash; every session of the user is ended. */
export async function resetPassword(ctx: CoreContext, token: string, newPasswordHash: string): Promise<void> {
  await withTransaction(ctx, async (ctx) => {
    const now = ctx.now().toISOString();
    const [row] = await ctx.db
      .select()
      .from(passwordResetTokens)
      .where(and(eq(passwordResetTokens.tokenHash, sha256Hex(token)), isNull(passwordResetTokens.usedAt)));
    if (!row || row.expiresAt <= now) throw badRequest('Invalid or expired reset token');
    await ctx.db.update(passwordResetTokens).set({ usedAt: now }).where(eq(passwordResetTokens.id, row.id));
    await ctx.db.update(users).set({ passwordHash: newPasswordHash, updatedAt: now }).where(eq(users.id, row.userId));
    await ctx.db.delete(sessions).where(eq(sessions.userId, row.userId));
  });
}
