import { getRouteApi, Link } from '@tanstack/react-router';
import { Page } from '../components/ui.ts';

const route = getRouteApi('/_app/runs/$runId/replay');

/** Step-by-step replay of a finished run (trpc.mk.runs.replay). */
export function RunReplayPage() {
  const { runId } = route.useParams();
  const shortId = runId.slice(0, 8);
  return (
    <Page
      title={`Replay of run ${shortId}`}
      back={
        <Link to="/runs/$runId" params={{ runId }}>
          ← Run {shortId}
        </Link>
      }
      description="Step through what the agent did in this run, event by event."
    />
  );
}
