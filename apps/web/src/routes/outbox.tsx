import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc.ts';
import { EmptyState, Page, QueryState, RelativeTime } from '../components/ui.ts';

/** Mail kept locally when the instance has no SMTP server; instance admins relay reset links from here. */
export function OutboxPage() {
  const trpc = useTRPC();
  const mails = useQuery(trpc.session.outbox.queryOptions({ limit: 50 }));
  return (
    <Page title="Mail outbox" description="Mail kept on this server because no SMTP server is configured.">
      <QueryState query={mails}>
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="The outbox is empty." />
          ) : (
            list.map((m) => (
              <article key={m.id} className="card mail">
                <header>
                  <strong>{m.subject}</strong> — to {m.to} · <RelativeTime iso={m.createdAt} /> · {m.transport}
                  {m.error && <span className="error"> (send failed: {m.error})</span>}
                </header>
                <pre>{m.text}</pre>
              </article>
            ))
          )
        }
      </QueryState>
    </Page>
  );
}
