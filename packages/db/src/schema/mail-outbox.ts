import { table, text, index } from './kit.ts';

// Every outgoing mail is recorded here. Without SMTP configured this is the only delivery,
// and an instance admin reads it from the CLI or the SPA.
export const mailOutbox = table(
  'mail_outbox',
  {
    id: text('id').primaryKey(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    transport: text('transport', { enum: ['outbox', 'smtp'] }).notNull(),
    error: text('error'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('mail_outbox_created_idx').on(t.createdAt)],
);
