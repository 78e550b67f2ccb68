import nodemailer, { type Transporter } from 'nodemailer';
import { desc, eq } from 'drizzle-orm';
import { mailOutbox } from '@baton/db';
import type { CoreContext } from '../context.ts';
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
 * Every mail is recorded in the outbox first, synchronously. With SMTP configured it is then sent;
 * a send failure is logged and kept on the outbox row, so an admin can still read the mail.
 * The returned promise settles when the SMTP attempt is over and never rejects.
 */
export function sendMail(ctx: CoreContext, mail: Mail): Promise<void> {
  const { smtpUrl, from } = ctx.config.mail;
  const id = newId();
  ctx.db
    .insert(mailOutbox)
    .values({ id, ...mail, transport: smtpUrl ? 'smtp' : 'outbox', error: null, createdAt: ctx.now().toISOString() })
    .run();
  if (!smtpUrl) return Promise.resolve();
  return transportFor(smtpUrl)
    .sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text })
    .then(
      () => undefined,
      (e: unknown) => {
        const error = e instanceof Error ? e.message : String(e);
        ctx.logger.error('smtp send failed; mail kept in the outbox', { to: mail.to, error });
        ctx.db.update(mailOutbox).set({ error }).where(eq(mailOutbox.id, id)).run();
      },
    );
}

export function listOutbox(ctx: CoreContext, limit = 50) {
  return ctx.db.select().from(mailOutbox).orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id)).limit(limit).all();
}
