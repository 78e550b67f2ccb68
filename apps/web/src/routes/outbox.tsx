import { useEffect, useState } from 'react';
import { trpc, errorMessage, type RouterOutputs } from '../lib/trpc.ts';
import { Card, ErrorText } from '../components/ui.tsx';

type Mail = RouterOutputs['session']['outbox'][number];

/** Mail kept locally when the instance has no SMTP server; instance admins relay reset links from here. */
export function OutboxPage() {
  const [mails, setMails] = useState<Mail[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    trpc.session.outbox
      .query({ limit: 50 })
      .then(setMails)
      .catch((e: unknown) => setError(errorMessage(e)));
  }, []);
  return (
    <Card title="Mail outbox">
      <ErrorText error={error} />
      {mails?.length === 0 && <p>The outbox is empty.</p>}
      {mails?.map((m) => (
        <article key={m.id} className="mail">
          <header>
            <strong>{m.subject}</strong> — to {m.to} · {new Date(m.createdAt).toLocaleString()} · {m.transport}
            {m.error && <span className="error"> (send failed: {m.error})</span>}
          </header>
          <pre>{m.text}</pre>
        </article>
      ))}
    </Card>
  );
}
