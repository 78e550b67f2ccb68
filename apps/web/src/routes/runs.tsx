import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { trpc, errorMessage, type RouterOutputs } from '../lib/trpc.ts';
import { useAction } from '../lib/use-action.ts';
import { formatTime, isTerminal, needsApproval, type Run } from '../lib/runs.ts';
import { Card, ErrorText, Form, Link } from '../components/ui.tsx';
import { StatusBadge } from '../components/run-parts.tsx';

type Project = RouterOutputs['mk']['projects']['list']['data']['projects'][number];

/**
 * The list is polled: quickly while a run on it is active, so "needs approval" appears (and goes)
 * within a couple of seconds of the run stopping or resuming, and slowly when every run is done.
 */
const ACTIVE_REFRESH_MS = 1500;
const IDLE_REFRESH_MS = 4000;
const PAGE_SIZE = 50;

/** The runs of the active org, newest first, and a form to ask for a new one. */
export function RunsPage({ version }: { version: number }) {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [count, setCount] = useState(0);
  const [projects, setProjects] = useState<Project[]>([]);
  const [error, setError] = useState<string | null>(null);
  /** Reloads the list now and restarts its polling (a new run is active: poll quickly). */
  const refreshRef = useRef<() => Promise<void>>(async () => {});

  const loadRuns = useCallback(async (): Promise<Run[] | null> => {
    try {
      const { data } = await trpc.mk.runs.list.query({ limit: PAGE_SIZE, offset: 0 });
      setRuns(data.runs);
      setCount(data.count);
      setError(null);
      return data.runs;
    } catch (e) {
      setError(errorMessage(e));
      return null;
    }
  }, []);

  useEffect(() => {
    // A different org was picked: forget the other org's rows rather than show them until the reload.
    setRuns(null);
    setProjects([]);
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let first = true;
    let anyActive = true;
    let loading: Promise<void> | null = null;
    let again = false;
    const tick = async (): Promise<void> => {
      // One chain of ticks: a refresh asked for mid-request runs right after it, not beside it.
      if (loading) {
        again = true;
        return loading;
      }
      clearTimeout(timer);
      loading = (async () => {
        // A hidden tab has no one to show the list to; catch up on the next tick once it is visible.
        if (first || !document.hidden) {
          const list = await loadRuns();
          if (list) anyActive = list.some((r) => !isTerminal(r.status));
        }
        first = false;
      })();
      try {
        await loading;
      } finally {
        loading = null;
      }
      if (stopped) return;
      if (again) {
        again = false;
        return tick();
      }
      timer = setTimeout(() => void tick(), anyActive ? ACTIVE_REFRESH_MS : IDLE_REFRESH_MS);
    };
    refreshRef.current = tick;
    // Back to the tab: show the list as it is now, not as it was when the tab was hidden.
    const onVisible = () => {
      if (!document.hidden && !stopped) void tick();
    };
    document.addEventListener('visibilitychange', onVisible);
    void tick();
    trpc.mk.projects.list
      .query({ limit: 100, offset: 0 })
      .then(({ data }) => !stopped && setProjects(data.projects))
      .catch((e: unknown) => !stopped && setError(errorMessage(e)));
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [loadRuns, version]);

  const projectName = (id: string | null) => (id ? (projects.find((p) => p.id === id)?.name ?? null) : null);

  return (
    <>
      <NewRunForm projects={projects} onCreated={() => refreshRef.current()} />
      <Card title="Runs">
        <ErrorText error={error} />
        {runs === null ? (
          <p>Loading…</p>
        ) : runs.length === 0 ? (
          <p className="muted">No runs yet. Describe a change above to start one.</p>
        ) : (
          <>
            <ul className="run-list" aria-label="Runs" data-testid="run-list">
              {runs.map((r) => (
                <li key={r.id} className="run-row" data-run-id={r.id} data-needs-approval={needsApproval(r) ? 'true' : undefined}>
                  <StatusBadge status={r.status} waiting={needsApproval(r)} />
                  <div className="run-row-main">
                    <Link to={`/runs/${r.id}`}>
                      <span className="run-request">{r.requestText}</span>
                    </Link>
                    <span className="run-meta">
                      <time dateTime={r.createdAt}>{formatTime(r.createdAt)}</time>
                      {projectName(r.projectId) && <> · {projectName(r.projectId)}</>}
                      {r.status === 'completed' && r.outcome && <span className="run-row-outcome"> · {r.outcome}</span>}
                      {r.errorMessage && <span className="run-row-error"> · {r.errorMessage}</span>}
                    </span>
                  </div>
                </li>
              ))}
            </ul>
            {count > runs.length && (
              <p className="muted">
                Showing the newest {runs.length} of {count} runs.
              </p>
            )}
          </>
        )}
      </Card>
    </>
  );
}

function NewRunForm({ projects, onCreated }: { projects: Project[]; onCreated: () => Promise<unknown> }) {
  const [requestText, setRequestText] = useState('');
  const [projectId, setProjectId] = useState('');
  const { busy, error, run } = useAction();
  const [created, setCreated] = useState<Run | null>(null);
  const textId = useId();
  const projectSelectId = useId();

  // The picked project may belong to the previous org.
  useEffect(() => {
    if (projectId && !projects.some((p) => p.id === projectId)) setProjectId('');
  }, [projects, projectId]);

  return (
    <Card title="Request a change">
      <Form
        busy={busy}
        onSubmit={() => {
          setCreated(null);
          return run(async () => {
            const { data } = await trpc.mk.runs.create.mutate({ requestText, ...(projectId ? { projectId } : {}) });
            setRequestText('');
            setCreated(data);
            await onCreated();
          });
        }}
      >
        <div className="field">
          <label htmlFor={textId}>What should the agent do?</label>
          <textarea
            id={textId}
            name="requestText"
            rows={4}
            required
            maxLength={10000}
            placeholder="e.g. Add a health check endpoint to src/server.ts and deploy it to staging."
            value={requestText}
            onChange={(e) => setRequestText(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={projectSelectId}>Project (optional)</label>
          <select id={projectSelectId} name="projectId" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
            <option value="">No project (scratch workspace)</option>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <ErrorText error={error} />
        {created && (
          <p role="status">
            Run started. <Link to={`/runs/${created.id}`}>Follow it live</Link>
          </p>
        )}
        <button type="submit" disabled={busy || !requestText.trim()}>
          {busy ? 'Starting…' : 'Start run'}
        </button>
      </Form>
    </Card>
  );
}
