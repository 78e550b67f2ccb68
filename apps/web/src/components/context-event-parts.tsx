import { Link } from '@tanstack/react-router';
import { eventTypeLabel, sourceLabel } from '../lib/handoff-format.ts';
import { Badge } from './badge.tsx';
import { RelativeTime } from './relative-time.tsx';

/** What the context feeds show of a Flow Relay event (the handoff page, a project's feed, the handoffs page). */
export interface ContextEventLike {
  title: string;
  source: string;
  event_type: string;
  author?: string | null;
  url?: string | null;
  run_id?: string | null;
  created_at: string;
}

/** The event's title, linked to where it happened: the Baton run it came from, else its URL. */
export function ContextEventTitle({ event: e }: { event: ContextEventLike }) {
  if (e.run_id) {
    return (
      <Link to="/runs/$runId" params={{ runId: e.run_id }}>
        {e.title}
      </Link>
    );
  }
  if (e.url) {
    return (
      <a href={e.url} target="_blank" rel="noopener noreferrer">
        {e.title}
      </a>
    );
  }
  return <>{e.title}</>;
}

/** Source, type, author and time of an event. */
export function ContextEventMeta({ event: e, className = 'item-meta' }: { event: ContextEventLike; className?: string }) {
  return (
    <span className={className}>
      <Badge className="source">{sourceLabel(e.source)}</Badge>
      <span>{eventTypeLabel(e.event_type)}</span>
      {e.author && <span>{e.author}</span>}
      <RelativeTime iso={e.created_at} />
    </span>
  );
}

/** A handoff's sources as badges, after a separator, with a label for screen readers. */
export function HandoffSources({ sources }: { sources: readonly string[] }) {
  if (sources.length === 0) return null;
  return (
    <>
      <span aria-hidden="true">·</span>
      <span className="visually-hidden">Sources:</span>
      <span className="handoff-sources" data-testid="handoff-sources">
        {sources.map((s) => (
          <Badge key={s} className="source">
            {sourceLabel(s)}
          </Badge>
        ))}
      </span>
    </>
  );
}
