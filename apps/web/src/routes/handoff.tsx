import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTRPC, errorMessage, type RouterOutputs } from '../lib/trpc.ts';
import { HANDOFF_SECTIONS, sourceLabel } from '../lib/handoff-format.ts';
import { invalidate } from '../lib/mutations.ts';
import { Badge, Button, Card, EmptyState, ErrorState, FormError, LoadingState, Page, RelativeTime, useToast } from '../components/ui.ts';
import { ContextEventTitle, ContextEventMeta, HandoffSources } from '../components/context-event-parts.tsx';
import '../components/project-styles.css';

type Handoff = RouterOutputs['relay']['handoffs']['get'];
type Sources = RouterOutputs['app']['handoffSources'];
type SourceEvent = Sources['events'][number];

const route = getRouteApi('/_app/handoffs/$handoffId');

/** The in-page anchor of an event in "Built from". */
const eventAnchor = (id: string) => `event-${id}`;

/**
 * One handoff as a document to read and share: summary, then each section's items, each with the
 * events it came from (a run's milestones open the run; other events are listed below, with a link
 * to where they happened). Members archive or restore it here too.
 */
export function HandoffPage() {
  const { handoffId } = route.useParams();
  const trpc = useTRPC();
  const handoff = useQuery(trpc.relay.handoffs.get.queryOptions({ id: handoffId }));
  const sources = useQuery(trpc.app.handoffSources.queryOptions({ id: handoffId }));
  const h = handoff.data;
  return (
    <Page
      title={h?.title ?? 'Handoff'}
      back={
        <Link to="/handoffs" search={h ? { project: h.project_id } : {}}>
          ← Handoffs
        </Link>
      }
      actions={h && <ArchiveButton handoff={h} />}
    >
      <ErrorState error={handoff.error} onRetry={() => void handoff.refetch()} />
      {!h && !handoff.error && <LoadingState />}
      {h && <HandoffDocument handoff={h} sources={sources.data} sourcesError={sources.error} retry={() => void sources.refetch()} />}
    </Page>
  );
}

function ArchiveButton({ handoff: h }: { handoff: Handoff }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const archived = h.status === 'archived';
  const update = useMutation(
    trpc.relay.handoffs.update.mutationOptions({
      onSuccess: async (next) => {
        queryClient.setQueryData(trpc.relay.handoffs.get.queryKey({ id: next.id }), next);
        toast(next.status === 'archived' ? 'Handoff archived' : 'Handoff restored', 'success');
        await invalidate(queryClient, trpc.relay.handoffs.list.queryKey());
      },
    }),
  );
  return (
    <span className="confirm">
      <Button variant="secondary" busy={update.isPending} onClick={() => update.mutate({ id: h.id, status: archived ? 'active' : 'archived' })}>
        {update.isPending ? (archived ? 'Restoring…' : 'Archiving…') : archived ? 'Restore' : 'Archive'}
      </Button>
      <FormError error={update.error && errorMessage(update.error)} />
    </span>
  );
}

function HandoffDocument({ handoff: h, sources, sourcesError, retry }: { handoff: Handoff; sources: Sources | undefined; sourcesError: unknown; retry: () => void }) {
  const byId = new Map((sources?.events ?? []).map((e) => [e.id, e]));
  const empty = HANDOFF_SECTIONS.every(([key]) => h[key].length === 0);
  return (
    <article className="handoff-doc" data-handoff-id={h.id}>
      <p className="handoff-doc-meta">
        {h.status === 'archived' && <Badge tone="muted">archived</Badge>}
        <span>
          Project{' '}
          <Link to="/projects/$projectId" params={{ projectId: h.project_id }} data-testid="handoff-project">
            {h.project_name}
          </Link>
        </span>
        <span aria-hidden="true">·</span>
        <span>
          created <RelativeTime iso={h.created_at} />
        </span>
        <HandoffSources sources={h.sources} />
      </p>
      <p className="handoff-doc-summary" data-testid="handoff-summary">
        {h.summary}
      </p>
      <ErrorState error={sourcesError} onRetry={retry} />
      {empty && <EmptyState title="Nothing to hand off: no key changes, decisions, open questions or next steps were found." />}
      {HANDOFF_SECTIONS.map(([key, label]) =>
        h[key].length === 0 ? null : (
          <Card key={key} title={label} className={`handoff-doc-section handoff-${key}`} testId={`section-${key}`}>
            <ul className="handoff-doc-items">
              {h[key].map((item, i) => {
                const from = (sources?.items[key][i] ?? []).map((id) => byId.get(id)).filter((e): e is SourceEvent => e !== undefined);
                return (
                  <li key={i} data-testid="handoff-item">
                    <span className="handoff-item-text">{item}</span>
                    {from.length > 0 && (
                      <span className="handoff-item-from">
                        <span>From</span>
                        {from.map((e) => (
                          <EventLink key={e.id} event={e} />
                        ))}
                      </span>
                    )}
                  </li>
                );
              })}
            </ul>
          </Card>
        ),
      )}
      {sources && sources.events.length > 0 && (
        <Card title="Built from" testId="handoff-events">
          <p className="muted">The activity this handoff names, newest first.</p>
          <ol className="handoff-events">
            {sources.events.map((e) => (
              <li key={e.id} id={eventAnchor(e.id)} tabIndex={-1} data-source={e.source}>
                <h3 className="handoff-event-title">
                  <ContextEventTitle event={e} />
                </h3>
                <ContextEventMeta event={e} />
                {e.content && e.content !== e.title && <p className="handoff-event-content">{e.content}</p>}
              </li>
            ))}
          </ol>
        </Card>
      )}
    </article>
  );
}

/** A run's milestone opens the run; any other event, its entry under "Built from". */
function EventLink({ event: e }: { event: SourceEvent }) {
  const label = `${sourceLabel(e.source)}: ${e.title}`;
  return e.run_id ? (
    <Link to="/runs/$runId" params={{ runId: e.run_id }} data-testid="item-event-link">
      {label}
    </Link>
  ) : (
    <a href={`#${eventAnchor(e.id)}`} data-testid="item-event-link">
      {label}
    </a>
  );
}
