import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { trpc, errorMessage, getActiveOrgId, type Me, type RouterOutputs } from '../lib/trpc.ts';
import { useAction } from '../lib/use-action.ts';
import { formatTime } from '../lib/runs.ts';
import { ErrorText, Link } from '../components/ui.tsx';

type Project = RouterOutputs['mk']['projects']['list']['data']['projects'][number];
type Handoff = RouterOutputs['relay']['handoffs']['list']['handoffs'][number];
type ContextEvent = RouterOutputs['relay']['events']['list']['events'][number];
type JobStatus = RouterOutputs['relay']['jobs']['get']['job']['status'];
type StatusFilter = 'active' | 'archived' | 'all';

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
/** A poll that fails this many times in a row ends the wait; one network blip does not. */
const MAX_POLL_FAILURES = 3;

const STATUS_LABELS: Record<StatusFilter, string> = { active: 'Active', archived: 'Archived', all: 'All' };
const STATUS_FILTERS = Object.keys(STATUS_LABELS) as StatusFilter[];

const SOURCE_LABELS: Record<string, string> = { github: 'GitHub', slack: 'Slack', linear: 'Linear', discord: 'Discord', baton: 'Baton runs' };
const sourceLabel = (source: string) => SOURCE_LABELS[source] ?? source.charAt(0).toUpperCase() + source.slice(1);

const SECTIONS = [
  ['key_changes', 'Key changes'],
  ['decisions', 'Decisions'],
  ['open_questions', 'Open questions'],
  ['next_steps', 'Next steps'],
] as const satisfies ReadonlyArray<readonly [keyof Handoff, string]>;

const PROGRESS_LABELS: Record<Extract<JobStatus, 'pending' | 'running'>, string> = { pending: 'Queued…', running: 'Generating…' };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** "deploy_started" → "Deploy started". */
const eventTypeLabel = (type: string) => {
  const words = type.replace(/[_.-]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : type;
};

/**
 * Context handoffs of the active org's projects: generate one from a project's context stream,
 * read, archive and restore them, and see the stream's latest events.
 */
export function HandoffsPage({ me, version }: { me: Me; version: number }) {
  const [projects, setProjects] = useState<Project[] | null>(null);
  // The pick is kept in the address, so a reload or a shared link opens the same project.
  const [pickedId, setPickedId] = useState(() => new URLSearchParams(window.location.search).get('project') ?? '');
  const [status, setStatus] = useState<StatusFilter>('active');
  const [freshId, setFreshId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const projectSelectId = useId();

  const orgId = getActiveOrgId() ?? me.organizations[0]?.id;
  const org = me.organizations.find((o) => o.id === orgId);

  useEffect(() => {
    // Another org was picked: its projects replace the previous org's, which must not linger.
    setProjects(null);
    let stopped = false;
    trpc.mk.projects.list
      .query({ limit: 100, offset: 0 })
      .then(({ data }) => {
        if (stopped) return;
        setProjects(data.projects);
        setError(null);
      })
      .catch((e: unknown) => !stopped && setError(errorMessage(e)));
    return () => {
      stopped = true;
    };
  }, [version]);

  const project = projects?.find((p) => p.id === pickedId) ?? projects?.[0] ?? null;
  const projectId = project?.id ?? null;

  useEffect(() => {
    if (projects === null || window.location.pathname.replace(/\/$/, '') !== '/handoffs') return;
    const want = projectId ? `?project=${encodeURIComponent(projectId)}` : '';
    if (window.location.search !== want) window.history.replaceState(window.history.state, '', `/handoffs${want}`);
  }, [projects, projectId]);

  const stream = useProjectStream(projectId, status, version);

  const onGenerated = (handoffId: string) => {
    setFreshId(handoffId);
    // The new handoff is active: show a list it belongs to.
    setStatus((s) => (s === 'archived' ? 'active' : s));
    void stream.reload();
  };

  return (
    <>
      <ErrorText error={error} />
      <section className="card" aria-labelledby="handoff-generate-title">
        <h2 id="handoff-generate-title">Generate a handoff</h2>
        <p className="muted">
          A handoff sums up a project’s activity since its previous handoff — key changes, decisions, open questions and next steps — for whoever picks up
          the work next.
        </p>
        {projects === null ? (
          error ? null : <p>Loading…</p>
        ) : !project ? (
          <p className="empty" data-testid="no-projects">
            {org?.name ?? 'This organization'} has no projects yet. <Link to="/">Create a project</Link> first: each project has its own context stream and
            handoffs.
          </p>
        ) : (
          <>
            <div className="field handoff-project">
              <label htmlFor={projectSelectId}>Project</label>
              <select
                id={projectSelectId}
                name="projectId"
                value={project.id}
                onChange={(e) => {
                  setPickedId(e.target.value);
                  setFreshId(null);
                }}
              >
                {projects.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                    {p.status !== 'active' ? ` (${p.status})` : ''}
                  </option>
                ))}
              </select>
            </div>
            {/* Keyed: another project starts with its own choices and stops following the previous project's job. */}
            <GeneratePanel key={project.id} projectId={project.id} sources={stream.sources} onGenerated={onGenerated} />
          </>
        )}
      </section>

      {project && (
        <div className="handoffs-grid">
          <section className="card" aria-labelledby="handoff-list-title">
            <div className="card-head">
              <h2 id="handoff-list-title">Handoffs</h2>
              <div className="segmented" role="radiogroup" aria-label="Show handoffs">
                {STATUS_FILTERS.map((s) => (
                  <label key={s} className={s === status ? 'checked' : undefined}>
                    <input type="radio" name="handoff-status" value={s} checked={s === status} onChange={() => setStatus(s)} />
                    {STATUS_LABELS[s]}
                  </label>
                ))}
              </div>
            </div>
            <ErrorText error={stream.error} />
            <HandoffList
              list={stream.list}
              failed={stream.error !== null}
              status={status}
              freshId={freshId}
              onShowArchived={() => setStatus('archived')}
              onChanged={(h) => {
                stream.replace(h);
                void stream.reload();
              }}
            />
          </section>
          <section className="card activity-card" aria-labelledby="activity-title">
            <h2 id="activity-title">Recent activity</h2>
            <RecentActivity events={stream.events} failed={stream.error !== null} />
          </section>
        </div>
      )}
    </>
  );
}

interface HandoffPage {
  items: Handoff[];
  /** Whether the project has archived handoffs, asked only when the active list is empty (for its wording). */
  hasArchived: boolean;
  full: boolean;
}

/**
 * A project's handoffs (one status), latest events and the sources its stream holds, loaded together
 * and refreshed while the page is visible. What was loaded for another project or status is not
 * returned, so the page never shows one project's handoffs under another's name.
 */
function useProjectStream(projectId: string | null, status: StatusFilter, version: number) {
  const [list, setList] = useState<(HandoffPage & { key: string }) | null>(null);
  const [stream, setStream] = useState<{ projectId: string; events: ContextEvent[]; sources: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = `${projectId}\u0000${status}`;
  // reload() may be called from a callback made before a switch (a generation or an archive that
  // finished later): it always loads what the page shows now.
  const params = useRef({ projectId, status });
  useLayoutEffect(() => {
    params.current = { projectId, status };
  }, [projectId, status]);
  // Responses can arrive out of order (a slow refresh after a switch): only the latest request's count.
  const latest = useRef(0);

  const reload = useCallback(async () => {
    const { projectId, status } = params.current;
    if (!projectId) return;
    const seq = ++latest.current;
    try {
      const [handoffs, events, filters] = await Promise.all([
        trpc.relay.handoffs.list.query({ project_id: projectId, status, limit: PAGE_SIZE }),
        trpc.relay.events.list.query({ project_id: projectId, limit: ACTIVITY_SIZE }),
        trpc.relay.handoffs.filters.query({ project_id: projectId }),
      ]);
      let hasArchived = false;
      if (status === 'active' && handoffs.handoffs.length === 0) {
        hasArchived = (await trpc.relay.handoffs.list.query({ project_id: projectId, status: 'archived', limit: 1 })).handoffs.length > 0;
      }
      if (seq !== latest.current) return;
      setList({ key: `${projectId}\u0000${status}`, items: handoffs.handoffs, hasArchived, full: handoffs.handoffs.length >= PAGE_SIZE });
      setStream({ projectId, events: events.events, sources: Object.keys(filters.filters).sort() });
      setError(null);
    } catch (e) {
      if (seq === latest.current) setError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    setError(null);
    if (!projectId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let first = true;
    const tick = async () => {
      // A hidden tab has no one to show the lists to; catch up on the next tick once it is visible.
      if (first || !document.hidden) await reload();
      first = false;
      if (!stopped) timer = setTimeout(() => void tick(), REFRESH_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [reload, projectId, status, version]);

  /** Puts an archived or restored handoff where it now belongs, before the reload confirms it. */
  const replace = (h: Handoff) =>
    setList((l) => {
      if (!l || l.key !== `${h.project_id}\u0000${params.current.status}`) return l;
      const shown = params.current.status;
      const items = shown === 'all' || h.status === shown ? l.items.map((x) => (x.id === h.id ? h : x)) : l.items.filter((x) => x.id !== h.id);
      return { ...l, items, hasArchived: l.hasArchived || h.status === 'archived' };
    });

  const current = stream?.projectId === projectId ? stream : null;
  return {
    list: list?.key === key ? list : null,
    events: current?.events ?? null,
    sources: current?.sources ?? null,
    error,
    reload,
    replace,
  };
}

type Progress = { status: 'pending' | 'running'; slow: boolean };

function GeneratePanel({ projectId, sources, onGenerated }: { projectId: string; sources: string[] | null; onGenerated: (handoffId: string) => void }) {
  const { busy, error, run } = useAction();
  const [checked, setChecked] = useState<ReadonlySet<string>>(() => new Set());
  const [progress, setProgress] = useState<Progress | null>(null);
  const [ready, setReady] = useState<string | null>(null);
  // The job goes on without the page: once the panel is gone, stop following it.
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const toggle = (source: string, on: boolean) =>
    setChecked((prev) => {
      const next = new Set(prev);
      if (on) next.add(source);
      else next.delete(source);
      return next;
    });

  const generate = async () => {
    setReady(null);
    setProgress({ status: 'pending', slow: false });
    await run(async () => {
      const picked = (sources ?? []).filter((s) => checked.has(s));
      const { jobId } = await trpc.relay.handoffs.create.mutate({ project_id: projectId, ...(picked.length ? { sources: picked } : {}) });
      const started = Date.now();
      let failures = 0;
      for (let polls = 0; mounted.current; polls++) {
        await sleep(polls < FAST_POLLS ? POLL_MS : SLOW_POLL_MS);
        if (!mounted.current) return;
        let res: RouterOutputs['relay']['jobs']['get'];
        try {
          res = await trpc.relay.jobs.get.query({ jobId });
          failures = 0;
        } catch (e) {
          if (++failures >= MAX_POLL_FAILURES) throw e;
          continue;
        }
        const { job, result } = res;
        if (job.status === 'failed') throw new Error(job.error ?? 'Handoff generation failed.');
        if (job.status === 'completed') {
          if (!result) throw new Error('The handoff was generated, but it has been deleted since.');
          setReady(result.title);
          onGenerated(result.id);
          return;
        }
        setProgress({ status: job.status, slow: job.status === 'pending' && Date.now() - started > SLOW_AFTER_MS });
      }
    });
    setProgress(null);
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
        <button type="button" onClick={() => void generate()} disabled={busy} aria-busy={busy}>
          Generate handoff
        </button>
        <p role="status" className="job-progress" data-testid="handoff-progress">
          {progress ? (
            <>
              <span className={`job-phase job-${progress.status}`}>{PROGRESS_LABELS[progress.status]}</span>
              {progress.slow && <span className="muted"> The worker has not picked it up yet; it will run as soon as it does, even if you leave this page.</span>}
            </>
          ) : ready ? (
            <>
              Handoff ready: <strong>{ready}</strong>
            </>
          ) : null}
        </p>
      </div>
      <ErrorText error={error} />
    </>
  );
}

function HandoffList({
  list,
  failed,
  status,
  freshId,
  onShowArchived,
  onChanged,
}: {
  list: HandoffPage | null;
  /** The last load failed (its error is shown above): no "Loading…" that would never end. */
  failed: boolean;
  status: StatusFilter;
  freshId: string | null;
  onShowArchived: () => void;
  onChanged: (h: Handoff) => void;
}) {
  if (list === null) return failed ? null : <p>Loading…</p>;
  if (list.items.length === 0) {
    if (status === 'archived') return <p className="empty">No archived handoffs.</p>;
    if (status === 'active' && list.hasArchived) {
      return (
        <p className="empty">
          No active handoffs.{' '}
          <button type="button" className="link" onClick={onShowArchived}>
            Show archived ones
          </button>{' '}
          or generate a new one above.
        </p>
      );
    }
    return <p className="empty">No handoffs yet. Generate one above: it sums up the project’s latest activity.</p>;
  }
  return (
    <>
      <ul className="handoff-list" aria-label="Handoffs" data-testid="handoff-list">
        {list.items.map((h) => (
          <li key={h.id}>
            <HandoffCard handoff={h} fresh={h.id === freshId && h.status === 'active'} onChanged={onChanged} />
          </li>
        ))}
      </ul>
      {list.full && <p className="muted">Showing the newest {list.items.length} handoffs.</p>}
    </>
  );
}

function HandoffCard({ handoff: h, fresh, onChanged }: { handoff: Handoff; fresh: boolean; onChanged: (h: Handoff) => void }) {
  const { busy, error, run } = useAction();
  const titleId = useId();
  const archived = h.status === 'archived';

  const setStatus = () =>
    run(async () => {
      onChanged(await trpc.relay.handoffs.update.mutate({ id: h.id, status: archived ? 'active' : 'archived' }));
    });

  return (
    <article className={`handoff${fresh ? ' handoff-new' : ''}${archived ? ' handoff-archived' : ''}`} data-handoff-id={h.id} aria-labelledby={titleId}>
      <header className="handoff-head">
        <h3 id={titleId} className="handoff-title">
          {h.title}
        </h3>
        {fresh && <span className="badge badge-active">New</span>}
        {archived && <span className="badge badge-muted">archived</span>}
        <button type="button" className="secondary" onClick={() => void setStatus()} disabled={busy} aria-describedby={titleId}>
          {busy ? (archived ? 'Restoring…' : 'Archiving…') : archived ? 'Restore' : 'Archive'}
        </button>
      </header>
      <p className="handoff-meta">
        <time dateTime={h.created_at}>{formatTime(h.created_at)}</time>
        {h.sources.length > 0 && (
          <>
            <span aria-hidden="true">·</span>
            <span className="visually-hidden">Sources:</span>
            <span className="handoff-sources" data-testid="handoff-sources">
              {h.sources.map((s) => (
                <span key={s} className="badge badge-muted source">
                  {sourceLabel(s)}
                </span>
              ))}
            </span>
          </>
        )}
      </p>
      <ErrorText error={error} />
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

function RecentActivity({ events, failed }: { events: ContextEvent[] | null; failed: boolean }) {
  if (events === null) return failed ? <p className="empty">Could not load the activity.</p> : <p>Loading…</p>;
  if (events.length === 0) {
    return (
      <p className="empty">
        No activity yet. Connectors record events with <code>POST /relay/api/v1/events</code> and a Flow Relay key; this project’s runs add theirs by
        themselves.
      </p>
    );
  }
  return (
    <ol className="activity" aria-label="Recent activity" data-testid="activity">
      {events.map((e) => (
        <li key={e.id} data-source={e.source}>
          <span className="activity-title">
            {e.run_id ? (
              <Link to={`/runs/${e.run_id}`}>{e.title}</Link>
            ) : e.url ? (
              <a href={e.url} target="_blank" rel="noopener noreferrer">
                {e.title}
              </a>
            ) : (
              e.title
            )}
          </span>
          <span className="activity-meta">
            <span className="badge badge-muted source">{sourceLabel(e.source)}</span> {eventTypeLabel(e.event_type)}
            {e.author && <> · {e.author}</>} · <time dateTime={e.created_at}>{formatTime(e.created_at)}</time>
          </span>
        </li>
      ))}
    </ol>
  );
}
