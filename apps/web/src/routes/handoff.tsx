import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTRPC } from '../lib/trpc.ts';
import { ErrorState, Page } from '../components/ui.ts';

const route = getRouteApi('/_app/handoffs/$handoffId');

/** One handoff, to read and share on its own. */
export function HandoffPage() {
  const { handoffId } = route.useParams();
  const trpc = useTRPC();
  const handoff = useQuery(trpc.relay.handoffs.get.queryOptions({ id: handoffId }));
  const h = handoff.data;
  return (
    <Page title={h?.title ?? 'Handoff'} back={<Link to="/handoffs" search={h ? { project: h.project_id } : {}}>← Handoffs</Link>}>
      <ErrorState error={handoff.error} onRetry={() => void handoff.refetch()} />
      {h && <p className="handoff-summary">{h.summary}</p>}
    </Page>
  );
}
