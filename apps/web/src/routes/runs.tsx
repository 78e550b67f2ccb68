import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTRPC, errorMessage } from '../lib/trpc.ts';
import { needsApproval, RUN_STATUSES, type Run } from '../lib/runs.ts';
import { ALL_PROJECTS, type Project } from '../lib/projects.ts';
import { RUNS_PAGE_SIZE, useRunsListOptions } from '../lib/use-runs.ts';
import type { RunsSearch } from '../lib/search.ts';
import { Button, Card, EmptyState, Form, FormError, Page, QueryState, RelativeTime, SelectField, TextAreaField } from '../components/ui.ts';
import { StatusBadge } from '../components/run-parts.tsx';

const route = getRouteApi('/_app/runs');

/** The runs of the active org, newest first, filtered by the URL, and a form to ask for a new one. */
export function RunsPage() {
  const search = route.useSearch();
  const trpc = useTRPC();
  const projects = useQuery(trpc.mk.projects.list.queryOptions(ALL_PROJECTS));
  const projectList = projects.data?.data.projects ?? [];
  return (
    <Page title="Runs" description="Ask an agent for a change and follow it through its stages.">
      <NewRunForm projects={projectList} />
      <RunList search={search} projects={projectList} />
    </Page>
  );
}

function RunList({ search, projects }: { search: RunsSearch; projects: Project[] }) {
  const navigate = route.useNavigate();
  const offset = search.cursor ?? 0;
  const input = { limit: RUNS_PAGE_SIZE, offset, ...(search.status ? { status: search.status } : {}), ...(search.projectId ? { projectId: search.projectId } : {}) };
  const runs = useQuery({ ...useRunsListOptions(input), placeholderData: (prev) => prev });
  const projectName = (id: string | null) => (id ? (projects.find((p) => p.id === id)?.name ?? null) : null);
  const filtered = search.status !== undefined || search.projectId !== undefined;
  const setFilter = (patch: Partial<RunsSearch>) => void navigate({ search: (prev) => ({ ...prev, ...patch, cursor: undefined }) });

  return (
    <Card title="All runs">
      <div className="filters" role="group" aria-label="Filter runs">
        <SelectField label="Filter by status" name="status" value={search.status ?? ''} onChange={(v) => setFilter({ status: (v || undefined) as RunsSearch['status'] })}>
          <option value="">Any status</option>
          {RUN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </SelectField>
        <SelectField label="Filter by project" name="projectFilter" value={search.projectId ?? ''} onChange={(v) => setFilter({ projectId: v || undefined })}>
          <option value="">Any project</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </SelectField>
      </div>
      <QueryState query={runs}>
        {({ data }) =>
          data.runs.length === 0 ? (
            <EmptyState title={filtered ? 'No runs match these filters.' : 'No runs yet. Describe a change above to start one.'}>
              {filtered && (
                <Link to="/runs" search={{}}>
                  Show all runs
                </Link>
              )}
            </EmptyState>
          ) : (
            <>
              <ul className="run-list" aria-label="Runs" data-testid="run-list">
                {data.runs.map((r) => (
                  <RunRow key={r.id} run={r} projectName={projectName(r.projectId)} />
                ))}
              </ul>
              {data.count > data.runs.length && (
                <nav className="pager" aria-label="Pages of runs">
                  <span className="muted">
                    Runs {offset + 1}–{offset + data.runs.length} of {data.count}
                  </span>
                  {offset > 0 && (
                    <Link to="/runs" search={{ ...search, cursor: Math.max(0, offset - RUNS_PAGE_SIZE) || undefined }}>
                      Newer runs
                    </Link>
                  )}
                  {offset + data.runs.length < data.count && (
                    <Link to="/runs" search={{ ...search, cursor: offset + RUNS_PAGE_SIZE }}>
                      Older runs
                    </Link>
                  )}
                </nav>
              )}
            </>
          )
        }
      </QueryState>
    </Card>
  );
}

function RunRow({ run: r, projectName }: { run: Run; projectName: string | null }) {
  const waiting = needsApproval(r);
  return (
    <li className="run-row" data-run-id={r.id} data-needs-approval={waiting ? 'true' : undefined}>
      <StatusBadge status={r.status} waiting={waiting} />
      <div className="run-row-main">
        <Link to="/runs/$runId" params={{ runId: r.id }}>
          <span className="run-request">{r.requestText}</span>
        </Link>
        <span className="run-meta">
          <RelativeTime iso={r.createdAt} />
          {projectName && <> · {projectName}</>}
          {r.status === 'completed' && r.outcome && <span className="run-row-outcome"> · {r.outcome}</span>}
          {r.errorMessage && <span className="run-row-error"> · {r.errorMessage}</span>}
        </span>
      </div>
    </li>
  );
}

function NewRunForm({ projects }: { projects: Project[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [requestText, setRequestText] = useState('');
  const [projectId, setProjectId] = useState('');
  const [created, setCreated] = useState<Run | null>(null);
  const create = useMutation(
    trpc.mk.runs.create.mutationOptions({
      onMutate: () => setCreated(null),
      onSuccess: ({ data }) => {
        setRequestText('');
        setCreated(data);
        void queryClient.invalidateQueries({ queryKey: trpc.mk.runs.list.queryKey() });
      },
    }),
  );

  // The picked project may have been deleted meanwhile.
  useEffect(() => {
    if (projectId && projects.length > 0 && !projects.some((p) => p.id === projectId)) setProjectId('');
  }, [projects, projectId]);

  return (
    <Card title="Request a change">
      <Form busy={create.isPending} onSubmit={() => create.mutate({ requestText, ...(projectId ? { projectId } : {}) })}>
        <TextAreaField
          label="What should the agent do?"
          name="requestText"
          rows={4}
          required
          maxLength={10000}
          placeholder="e.g. Add a health check endpoint to src/server.ts and deploy it to staging."
          value={requestText}
          onChange={setRequestText}
        />
        <SelectField label="Project (optional)" name="projectId" value={projectId} onChange={setProjectId}>
          <option value="">No project (scratch workspace)</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </SelectField>
        <FormError error={create.error && errorMessage(create.error)} />
        {created && (
          <p role="status">
            Run started.{' '}
            <Link to="/runs/$runId" params={{ runId: created.id }}>
              Follow it live
            </Link>
          </p>
        )}
        <Button type="submit" busy={create.isPending} disabled={!requestText.trim()}>
          {create.isPending ? 'Starting…' : 'Start run'}
        </Button>
      </Form>
    </Card>
  );
}
