import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTRPC } from '../lib/trpc.ts';
import { ErrorState, Page } from '../components/ui.ts';

const route = getRouteApi('/_app/projects/$projectId');

/** One project: its settings, and the way to its environments, runs and handoffs. */
export function ProjectPage() {
  const { projectId } = route.useParams();
  const trpc = useTRPC();
  const project = useQuery(trpc.mk.projects.get.queryOptions({ id: projectId }));
  const p = project.data?.data;
  return (
    <Page title={p?.name ?? 'Project'} back={<Link to="/projects">← Projects</Link>} description={p && <code>{p.slug}</code>}>
      <ErrorState error={project.error} onRetry={() => void project.refetch()} />
      <ul className="plain-list">
        <li>
          <Link to="/projects/$projectId/environments" params={{ projectId }}>
            Environments
          </Link>
        </li>
        <li>
          <Link to="/runs" search={{ projectId }}>
            Runs of this project
          </Link>
        </li>
        <li>
          <Link to="/handoffs" search={{ project: projectId }}>
            Handoffs of this project
          </Link>
        </li>
      </ul>
    </Page>
  );
}
