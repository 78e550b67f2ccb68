import { useEffect, useRef, useState } from 'react';
import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTRPC, errorMessage, type RouterOutputs } from '../lib/trpc.ts';
import { useActiveOrg } from '../lib/session.ts';
import { ALL_PROJECTS } from '../lib/projects.ts';
import { HANDOFF_STATUSES, type HandoffStatusFilter } from '../lib/search.ts';
import { eventTypeLabel, HANDOFF_SECTIONS as SECTIONS, sourceLabel } from '../lib/handoff-format.ts';
import { Badge, Button, Card, EmptyState, ErrorState, FormError, LoadingState, Page, RelativeTime, SelectField, useToast } from '../components/ui.ts';
import { ContextEventTitle, HandoffSources } from '../components/context-event-parts.tsx';

type Handoff = RouterOutputs['relay']['handoffs']['list']['handoffs'][number];
type HandoffList = RouterOutputs['relay']['handoffs']['list'];
type ContextEvent = RouterOutputs['relay']['events']['list']['events'][number];

const route = getRouteApi('/_app/handoffs');

const PAGE_SIZE = 50;
const ACTIVITY_SIZE = 20;
/** Connectors add events at any time; the page catches up this often while it is visible. */
const REFRESH_MS = 10_000;
/** A generation usually takes well under a second: poll briskly at first, then back off. */
const POLL_MS = 500;
const SLOW_POLL_MS = 2_000;
const FAST_POLLS = 40;
/** After this long still queued, say why the wait may be long. */
const SLOW_AFTER_MS = 10_000;

const STATUS_LABELS: Record<HandoffStatusFilter, string> = { active: 'Active', archived: 'Archived', all: 'All' };

/**
 * Context handoffs of the active org's projects: generate one from a project's context stream,
 * read, archive and restore them, and see the stream's latest events. The project and the status
 * filter are in the URL (?project=…&status=…).
 */
export function HandoffsPage() {
  const { org } = useActiveOrg();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const projects = useQuery(trpc.mk.projects.list.queryOptions(ALL_PROJECTS));
  const list = projects.data?.data.projects;
  const project = list?.find((p) => p.id === search.project) ?? list?.[0] ?? null;
  const status = search.status ?? 'active';
  const [freshId, setFreshId] = useState<string | null>(null);

  // The pick goes into the address, so a reload or a shared link opens the same project.
  useEffect(() => {
    if (list && project?.id !== search.project) void navigate({ search: (prev) => ({ ...prev, project: project?.id }), replace: true });
  }, [list, project?.id, search.project, navigate]);

  const setStatus = (s: HandoffStatusFilter) => void navigate({ search: (prev) => ({ ...prev, status: s === 'active' ? undefined : s }) });

  const onGenerated = (handoffId: string) => {
    setFreshId(handoffId);
    // The new handoff is active: show a list it belongs to.
    if (status === 'archived') setStatus('active');
    void queryClient.invalidateQueries({ queryKey: trpc.relay.pathKey() });
  };

  return (
    <Page title="Handoffs" description="Generate, read and archive the handoffs of each project.">
      <section className="card" aria-labelledby="handoff-generate-title">
        <h2 id="handoff-generate-title">Generate a handoff</h2>
        <p className="muted">
          A handoff sums up a project’s activity since its previous handoff — key changes, decisions, open questions and next steps — for whoever picks up
          the work next.
        </p>
        {projects.error ? (
          <ErrorState error={projects.error} onRetry={() => void projects.refetch()} />
        ) : !list ? (
          <LoadingState />
        ) : !project ? (
          <p className="empty" data-testid="no-projects">
            {org?.name ?? 'This organization'} has no projects yet. <Link to="/">Create a project</Link> first: each project has its own context stream and
            handoffs.
          </p>
        ) : (
          <>
            <SelectField
              label="Project"
              name="projectId"
              className="handoff-project"
              value={project.id}
              onChange={(id) => {
                setFreshId(null);
                void navigate({ search: (prev) => ({ ...prev, project: id }) });
              }}
            >
              {list.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                  {p.status !== 'active' ? ` (${p.status})` : ''}
                </option>
              ))}
            </SelectField>
            {/* Keyed: another project starts with its own choices and stops following the previous project's job. */}
            <GeneratePanel key={project.id} projectId={project.id} onGenerated={onGenerated} />
          </>
        )}
      </section>

      {project && (
        <div className="handoffs-grid">
          <section className="card" aria-labelledby="handoff-list-title">
            <div className="card-head">
              <h2 id="handoff-list-title">Project handoffs</h2>
              <div className="segmented" role="radiogroup" aria-label="Show handoffs">
                {HANDOFF_STATUSES.map((s) => (
                  <label key={s} className={s === status ? 'checked' : undefined}>
                    <input type="radio" name="handoff-status" value={s} checked={s === status} onChange={() => setStatus(s)} />
                    {STATUS_LABELS[s]}
                  </label>
                ))}
              </div>
            </div>
            <HandoffListView projectId={project.id} status={status} freshId={freshId} onShowArchived={() => setStatus('archived')} />
          </section>
          <Card title="Recent activity" className="activity-card">
            <RecentActivity projectId={project.id} />
          </Card>
        </div>
      )}
    </Page>
  );
}

function GeneratePanel({ projectId, onGenerated }: { projectId: string; onGenerated: (handoffId: string) => void }) {
  const trpc = useTRPC();
  const filters = useQuery(trpc.relay.handoffs.filters.queryOptions({ project_id: projectId }, { refetchInterval: REFRESH_MS }));
  const sources = filters.data ? Object.keys(filters.data.filters).sort() : null;
  const [checked, setChecked] = useState<ReadonlySet<string>>(() => new Set());
  const [job, setJob] = useState<{ id: string; startedAt: number } | null>(null);
  const [ready, setReady] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const create = useMutation(
    trpc.relay.handoffs.create.mutationOptions({
      onMutate: () => {
        setReady(null);
        setFailure(null);
      },
      onSuccess: ({ jobId }) => setJob({ id: jobId, startedAt: Date.now() }),
    }),
  );
  // The job is followed by polling: it has no stream. A failed poll is retried twice before giving up.
  const jobQuery = useQuery(
    trpc.relay.jobs.get.queryOptions(job ? { jobId: job.id } : skipToken, {
      refetchInterval: (q) => (q.state.status === 'error' ? false : q.state.dataUpdateCount < FAST_POLLS ? POLL_MS : SLOW_POLL_MS),
      retry: 2,
      retryDelay: POLL_MS,
      staleTime: 0,
    }),
  );

  const handled = useRef<string | null>(null);
  const jobData = jobQuery.data;
  useEffect(() => {
    if (!job || handled.current === job.id) return;
    const finish = (outcome: () => void) => {
      handled.current = job.id;
      setJob(null);
      outcome();
    };
    if (jobQuery.error) finish(() => setFailure(errorMessage(jobQuery.error)));
    else if (jobData?.job.status === 'failed') finish(() => setFailure(jobData.job.error ?? 'Handoff generation failed.'));
    else if (jobData?.job.status === 'completed') {
      const result = jobData.result;
      finish(() => {
        if (!result) return setFailure('The handoff was generated, but it has been deleted since.');
        setReady(result.title);
        onGenerated(result.id);
      });
    }
  }, [job, jobData, jobQuery.error, onGenerated]);

  const phase = create.isPending ? 'pending' : job ? (jobData?.job.status === 'running' ? 'running' : 'pending') : null;
  const [slow, setSlow] = useState(false);
  const queued = phase === 'pending' && job !== null;
  useEffect(() => {
    setSlow(false);
    if (!queued || !job) return;
    const t = setTimeout(() => setSlow(true), Math.max(0, job.startedAt + SLOW_AFTER_MS - Date.now()));
    return () => clearTimeout(t);
  }, [queued, job]);
  const busy = phase !== null;

  const toggle = (source: string, on: boolean) =>
    setChecked((prev) => {
      const next = new Set(prev);
      if (on) next.add(source);
      else next.delete(source);
      return next;
    });

  const generate = () => {
    const picked = (sources ?? []).filter((s) => checked.has(s));
    create.mutate({ project_id: projectId, ...(picked.length ? { sources: picked } : {}) });
  };

  return (
    <>
      {sources === null ? null : sources.length === 0 ? (
        <p className="muted">This project has no recorded activity yet, so its handoff will say just that.</p>
      ) : (
        <fieldset className="source-picks">
          <legend>Sources</legend>
          <div className="checks">
            {sources.map((s) => (
              <label key={s} className="check">
                <input type="checkbox" name="sources" value={s} checked={checked.has(s)} onChange={(e) => toggle(s, e.target.checked)} disabled={busy} />
                {sourceLabel(s)}
              </label>
            ))}
          </div>
          <p className="hint">{checked.size === 0 ? 'None checked: every source is included.' : 'Only the checked sources are included.'}</p>
        </fieldset>
      )}
      <div className="generate-row">
        <Button onClick={generate} busy={busy}>
          Generate handoff
        </Button>
        <p role="status" className="job-progress" data-testid="handoff-progress">
          {phase ? (
            <>
              <span className={`job-phase job-${phase}`}>{phase === 'running' ? 'Generating…' : 'Queued…'}</span>
              {queued && slow && <span className="muted"> The worker has not picked it up yet; it will run as soon as it does, even if you leave this page.</span>}
            </>
          ) : ready ? (
            <>
              Handoff ready: <strong>{ready}</strong>
            </>
          ) : null}
        </p>
      </div>
      <FormError error={failure ?? (create.error && errorMessage(create.error))} />
    </>
  );
}

function HandoffListView({ projectId, status, freshId, onShowArchived }: { projectId: string; status: HandoffStatusFilter; freshId: string | null; onShowArchived: () => void }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.relay.handoffs.list.queryOptions({ project_id: projectId, status, limit: PAGE_SIZE }, { refetchInterval: REFRESH_MS }));
  const emptyActive = status === 'active' && list.data?.handoffs.length === 0;
  // Only to word the empty active list: are there archived ones to point to?
  const archived = useQuery(trpc.relay.handoffs.list.queryOptions(emptyActive ? { project_id: projectId, status: 'archived', limit: 1 } : skipToken));

  if (list.error) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  if (!list.data) return <LoadingState />;
  const items = list.data.handoffs;
  if (items.length === 0) {
    if (status === 'archived') return <EmptyState title="No archived handoffs." />;
    if (status === 'active') {
      if (!archived.data) return archived.error ? <ErrorState error={archived.error} /> : <LoadingState />;
      if (archived.data.handoffs.length > 0) {
        return (
          <p className="empty">
            No active handoffs.{' '}
            <Button variant="link" onClick={onShowArchived}>
              Show archived ones
            </Button>{' '}
            or generate a new one above.
          </p>
        );
      }
    }
    return <EmptyState title="No handoffs yet. Generate one above: it sums up the project’s latest activity." />;
  }
  return (
    <>
      <ul className="handoff-list" aria-label="Handoffs" data-testid="handoff-list">
        {items.map((h) => (
          <li key={h.id}>
            <HandoffCard handoff={h} fresh={h.id === freshId && h.status === 'active'} />
          </li>
        ))}
      </ul>
      {items.length >= PAGE_SIZE && <p className="muted">Showing the newest {items.length} handoffs.</p>}
    </>
  );
}

function HandoffCard({ handoff: h, fresh }: { handoff: Handoff; fresh: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const titleId = `handoff-${h.id}-title`;
  const archived = h.status === 'archived';
  const update = useMutation(
    trpc.relay.handoffs.update.mutationOptions({
      onSuccess: async (next) => {
        // Move it between the cached lists at once; the refetch below confirms.
        for (const s of HANDOFF_STATUSES) {
          queryClient.setQueriesData<HandoffList>({ queryKey: trpc.relay.handoffs.list.queryKey({ project_id: next.project_id, status: s }) }, (old) =>
            old && (s === 'all' || s === next.status ? { ...old, handoffs: old.handoffs.map((x) => (x.id === next.id ? next : x)) } : { ...old, handoffs: old.handoffs.filter((x) => x.id !== next.id) }),
          );
        }
        toast(next.status === 'archived' ? `Archived “${next.title}”` : `Restored “${next.title}”`, 'success');
        await queryClient.invalidateQueries({ queryKey: trpc.relay.handoffs.list.queryKey({ project_id: next.project_id }) });
      },
    }),
  );

  return (
    <article className={`handoff${fresh ? ' handoff-new' : ''}${archived ? ' handoff-archived' : ''}`} data-handoff-id={h.id} aria-labelledby={titleId}>
      <header className="handoff-head">
        <h3 id={titleId} className="handoff-title">
          <Link to="/handoffs/$handoffId" params={{ handoffId: h.id }}>
            {h.title}
          </Link>
        </h3>
        {fresh && <Badge tone="active">New</Badge>}
        {archived && <Badge tone="muted">archived</Badge>}
        <Button variant="secondary" onClick={() => update.mutate({ id: h.id, status: archived ? 'active' : 'archived' })} busy={update.isPending} aria-describedby={titleId}>
          {update.isPending ? (archived ? 'Restoring…' : 'Archiving…') : archived ? 'Restore' : 'Archive'}
        </Button>
      </header>
      <p className="handoff-meta">
        <RelativeTime iso={h.created_at} />
        <HandoffSources sources={h.sources} />
      </p>
      <FormError error={update.error && errorMessage(update.error)} />
      <p className="handoff-summary">{h.summary}</p>
      <div className="handoff-sections">
        {SECTIONS.map(([field, label]) =>
          h[field].length ? (
            <section key={field} className={`handoff-section handoff-${field}`} aria-label={label}>
              <h4>{label}</h4>
              <ul>
                {h[field].map((item, i) => (
                  <li key={i}>{item}</li>
                ))}
              </ul>
            </section>
          ) : null,
        )}
      </div>
    </article>
  );
}

function RecentActivity({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const events = useQuery(trpc.relay.events.list.queryOptions({ project_id: projectId, limit: ACTIVITY_SIZE }, { refetchInterval: REFRESH_MS }));
  if (events.error) return <EmptyState title="Could not load the activity." />;
  if (!events.data) return <LoadingState />;
  if (events.data.events.length === 0) {
    return (
      <p className="empty">
        No activity yet. Connectors record events with <code>POST /relay/api/v1/events</code> and a Flow Relay key; this project’s runs add theirs by
        themselves.
      </p>
    );
  }
  return (
    <ol className="activity" aria-label="Recent activity" data-testid="activity">
      {events.data.events.map((e: ContextEvent) => (
        <li key={e.id} data-source={e.source}>
          <span className="activity-title">
            <ContextEventTitle event={e} />
          </span>
          <span className="activity-meta">
            <Badge className="source">{sourceLabel(e.source)}</Badge> {eventTypeLabel(e.event_type)}
            {e.author && <> · {e.author}</>} · <RelativeTime iso={e.created_at} />
          </span>
        </li>
      ))}
    </ol>
  );
}
