import { useEffect, useId, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useTRPC } from '../lib/trpc.ts';
import { needsApproval, RUN_STATUSES, type Run } from '../lib/runs.ts';
import { ALL_PROJECTS, type Project } from '../lib/projects.ts';
import { RUNS_PAGE_SIZE, runsListInput, useRunsListOptions } from '../lib/use-runs.ts';
import { newRunErrors } from '../lib/run-form.ts';
import type { RunsSearch } from '../lib/search.ts';
import { Button, Card, EmptyState, Form, FormError, Page, QueryState, RelativeTime, SelectField, TextAreaField } from '../components/ui.ts';
import { StatusBadge } from '../components/run-parts.tsx';
import '../components/run-styles.css';

const route = getRouteApi('/_app/runs');

/** The runs of the active org, newest first, filtered and paged by the URL, and a form to ask for a new one. */
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
  const input = runsListInput(search);
  // The previous page stays on screen (marked busy) while the next one loads, instead of a flash of "Loading…".
  const runs = useQuery({ ...useRunsListOptions(input), placeholderData: (prev) => prev });
  const projectName = (id: string | null) => (id ? (projects.find((p) => p.id === id)?.name ?? null) : null);
  const filtered = search.status !== undefined || search.projectId !== undefined;
  const setFilter = (patch: Partial<RunsSearch>) => void navigate({ search: (prev) => ({ ...prev, ...patch, cursor: undefined }) });
  // A deep link may name a project this org no longer has: still offer it, so the filter shows as set.
  const unknownProject = search.projectId && projects.length > 0 && !projects.some((p) => p.id === search.projectId) ? search.projectId : null;

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
          {unknownProject && <option value={unknownProject}>Unknown project</option>}
        </SelectField>
      </div>
      <QueryState query={runs} loading={<p className="loading" aria-busy="true">Loading runs…</p>}>
        {({ data }) => {
          const known = Number.isInteger(data.count) && data.count >= 0;
          const hasNext = known ? offset + data.runs.length < data.count : data.runs.length === RUNS_PAGE_SIZE;
          if (data.runs.length === 0 && offset === 0) {
            return (
              <EmptyState testId="runs-empty" title={filtered ? 'No runs match these filters.' : 'No runs yet. Describe a change above to start one.'}>
                {filtered && (
                  <Link to="/runs" search={{}}>
                    Show all runs
                  </Link>
                )}
              </EmptyState>
            );
          }
          return (
            <>
              {data.runs.length === 0 ? (
                <EmptyState testId="runs-empty" title="No runs on this page.">
                  <Link to="/runs" search={{ ...search, cursor: undefined }}>
                    Go to the first page
                  </Link>
                </EmptyState>
              ) : (
                <ul className="run-list" aria-label="Runs" data-testid="run-list" aria-busy={runs.isPlaceholderData || undefined}>
                  {data.runs.map((r) => (
                    <RunRow key={r.id} run={r} projectName={projectName(r.projectId)} />
                  ))}
                </ul>
              )}
              {(offset > 0 || hasNext) && (
                <nav className="pager" aria-label="Pages of runs" data-testid="runs-pager">
                  {data.runs.length > 0 && (
                    <span className="muted" data-testid="runs-range">
                      {offset + 1}–{offset + data.runs.length}
                      {known && <> of {data.count.toLocaleString()}</>}
                    </span>
                  )}
                  <span className="pager-links">
                    {offset > 0 ? (
                      <Link to="/runs" search={{ ...search, cursor: Math.max(0, offset - RUNS_PAGE_SIZE) || undefined }} rel="prev">
                        ← Newer runs
                      </Link>
                    ) : (
                      <span className="pager-off">← Newer runs</span>
                    )}
                    {hasNext ? (
                      <Link to="/runs" search={{ ...search, cursor: offset + RUNS_PAGE_SIZE }} rel="next">
                        Older runs →
                      </Link>
                    ) : (
                      <span className="pager-off">Older runs →</span>
                    )}
                  </span>
                </nav>
              )}
            </>
          );
        }}
      </QueryState>
    </Card>
  );
}

function RunRow({ run: r, projectName }: { run: Run; projectName: string | null }) {
  const waiting = needsApproval(r);
  return (
    <li className={`run-row${waiting ? ' run-row-waiting' : ''}`} data-run-id={r.id} data-needs-approval={waiting ? 'true' : undefined}>
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

/** Asks for a run and opens it: the run's own page is where it is followed live. */
function NewRunForm({ projects }: { projects: Project[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const ids = { requestText: useId(), projectId: useId() };
  const [requestText, setRequestText] = useState('');
  const [projectId, setProjectId] = useState('');
  const create = useMutation(
    trpc.mk.runs.create.mutationOptions({
      onSuccess: ({ data }) => {
        setRequestText('');
        void queryClient.invalidateQueries({ queryKey: trpc.mk.runs.list.queryKey() });
        void navigate({ to: '/runs/$runId', params: { runId: data.id } });
      },
      onError: (e) => {
        const errors = newRunErrors(e);
        // A project deleted meanwhile: the refreshed list no longer offers it.
        if (errors.projectId) void queryClient.invalidateQueries({ queryKey: trpc.mk.projects.list.queryKey() });
        const field = errors.requestText ? ids.requestText : errors.projectId ? ids.projectId : null;
        if (field) document.getElementById(field)?.focus();
      },
    }),
  );
  const errors = newRunErrors(create.error);
  const edit = (set: (v: string) => void) => (v: string) => {
    set(v);
    if (create.isError) create.reset();
  };

  // The picked project may have been deleted meanwhile.
  useEffect(() => {
    if (projectId && projects.length > 0 && !projects.some((p) => p.id === projectId)) setProjectId('');
  }, [projects, projectId]);

  return (
    <Card title="Request a change">
      <Form className="new-run" busy={create.isPending} onSubmit={() => create.mutate({ requestText, ...(projectId ? { projectId } : {}) })}>
        <TextAreaField
          id={ids.requestText}
          label="What should the agent do?"
          name="requestText"
          rows={4}
          required
          maxLength={10000}
          placeholder="e.g. Add a health check endpoint to src/server.ts and deploy it to staging."
          value={requestText}
          error={errors.requestText}
          onChange={edit(setRequestText)}
        />
        <SelectField id={ids.projectId} label="Project (optional)" name="projectId" value={projectId} error={errors.projectId} onChange={edit(setProjectId)}>
          <option value="">No project (scratch workspace)</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </SelectField>
        <FormError error={errors.form} />
        <Button type="submit" busy={create.isPending} disabled={!requestText.trim()}>
          {create.isPending ? 'Starting…' : 'Start run'}
        </Button>
      </Form>
    </Card>
  );
}
