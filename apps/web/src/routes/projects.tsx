import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useTRPC } from '../lib/trpc.ts';
import { ALL_PROJECTS } from '../lib/projects.ts';
import { Card, EmptyState, Page, QueryState } from '../components/ui.ts';

/** The active org's projects. */
export function ProjectsPage() {
  const trpc = useTRPC();
  const projects = useQuery(trpc.mk.projects.list.queryOptions(ALL_PROJECTS));
  return (
    <Page title="Projects" description="Each project has its own environments, runs and context stream.">
      <Card title="All projects">
        <QueryState query={projects}>
          {({ data }) =>
            data.projects.length === 0 ? (
              <EmptyState title="No projects yet.">
                <Link to="/">Create one on the overview</Link>
              </EmptyState>
            ) : (
              <ul className="plain-list">
                {data.projects.map((p) => (
                  <li key={p.id}>
                    <Link to="/projects/$projectId" params={{ projectId: p.id }}>
                      {p.name}
                    </Link>{' '}
                    <span className="muted">· {p.status}</span>
                  </li>
                ))}
              </ul>
            )
          }
        </QueryState>
      </Card>
    </Page>
  );
}
