import nodemailer, { type Transporter } from 'nodemailer';
import { desc, eq } from 'drizzle-orm';
import { mailOutbox } from '@baton/db';
import { afterCommit, inUnit, withTransaction, type CoreContext } from '../context.ts';
import { newId } from '../util/ids.ts';

export interface MailConfig {
  /** smtp://user:pass@host:port or smtps://…; null keeps mail in the local outbox only. */
  smtpUrl: string | null;
  from: string;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

let cachedTransport: { url: string; transport: Transporter } | null = null;
function transportFor(url: string) {
  if (cachedTransport?.url !== url) cachedTransport = { url, transport: nodemailer.createTransport(url) };
  return cachedTransport.transport;
}

/**
 * Every mail is recorded in the outbox first, in a unit of work (the caller's, when it runs in one,
 * so the row commits with the rest of it). With SMTP configured it is then sent; a send failure is
 * logged and kept on the outbox row, so an admin can still read the mail.
 *
 * Outside a unit, the returned promise settles when the SMTP attempt is over and rejects only if
 * the outbox row could not be written. Inside a unit, it settles once the row is written: the SMTP
 * send starts after the commit (never for a unit rolled back) and nobody waits for it, since no
 * network round trip may be awaited inside a unit.
 */
export async function sendMail(ctx: CoreContext, mail: Mail): Promise<void> {
  const { smtpUrl, from } = ctx.config.mail;
  const id = newId();
  const joined = inUnit(ctx);
  await withTransaction(
    ctx,
    async (ctx) => {
      await ctx.db
        .insert(mailOutbox)
        .values({ id, ...mail, transport: smtpUrl ? 'smtp' : 'outbox', error: null, createdAt: ctx.now().toISOString() });
    },
    'mail',
  );
  if (!smtpUrl) return;
  const deliver = () => deliverMail(ctx, smtpUrl, from, id, mail);
  if (joined) afterCommit(ctx, () => void deliver());
  else await deliver();
}

/** The SMTP attempt for an outbox row; never rejects. Runs outside any unit. */
async function deliverMail(ctx: CoreContext, smtpUrl: string, from: string, id: string, mail: Mail): Promise<void> {
  try {
    await transportFor(smtpUrl).sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    ctx.logger.error('smtp send failed; mail kept in the outbox', { to: mail.to, error });
    try {
      await withTransaction(ctx, async (ctx) => {
        await ctx.db.update(mailOutbox).set({ error }).where(eq(mailOutbox.id, id));
      }, 'mail-error');
    } catch (e2) {
      ctx.logger.error('could not record the smtp failure on the outbox row', { id, error: String(e2) });
    }
  }
}

export async function listOutbox(ctx: CoreContext, limit = 50) {
  return await ctx.db.select().from(mailOutbox).orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id)).limit(limit);
}
