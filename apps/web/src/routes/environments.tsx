import { useCallback, useEffect, useState } from 'react';
import { trpc, errorMessage, getActiveOrgId, type Me, type RouterOutputs } from '../lib/trpc.ts';
import { useAction } from '../lib/use-action.ts';
import { formatTime } from '../lib/runs.ts';
import { ErrorText, Field, Form, Link } from '../components/ui.tsx';

type Project = RouterOutputs['mk']['projects']['get']['data'];
type Environment = RouterOutputs['mk']['projects']['environments']['data']['environments'][number];

/** The pipeline's order, whatever order the server lists them in; unknown names go last. */
const ENV_ORDER = ['development', 'staging', 'production'];
const envRank = (name: string) => {
  const i = ENV_ORDER.indexOf(name);
  return i === -1 ? ENV_ORDER.length : i;
};

const STATUS_BADGE: Record<Environment['status'], string> = { active: 'active', inactive: 'muted', deploying: 'warn', failed: 'bad' };
const HEALTH_BADGE: Record<NonNullable<Environment['healthStatus']>, string> = { healthy: 'ok', degraded: 'warn', down: 'bad', unknown: 'muted' };

/** A project's environments: where each is served and how healthy it is; admins set its URL and deploy hook. */
export function EnvironmentsPage({ me, projectId }: { me: Me; projectId: string }) {
  const [project, setProject] = useState<Project | null>(null);
  const [envs, setEnvs] = useState<Environment[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [p, e] = await Promise.all([trpc.mk.projects.get.query({ id: projectId }), trpc.mk.projects.environments.query({ id: projectId })]);
      setProject(p.data);
      setEnvs([...e.data.environments].sort((a, b) => envRank(a.name) - envRank(b.name)));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [projectId]);

  useEffect(() => {
    void load();
  }, [load]);

  const orgId = getActiveOrgId() ?? me.organizations[0]?.id;
  const role = me.organizations.find((o) => o.id === orgId)?.role;
  const isAdmin = role === 'owner' || role === 'admin';

  const replace = (env: Environment) => setEnvs((list) => list?.map((e) => (e.id === env.id ? env : e)) ?? null);

  return (
    <>
      <p>
        <Link to="/">← Projects</Link>
      </p>
      <section className="card">
        <h2>{project ? `${project.name} — environments` : 'Environments'}</h2>
        {project && (
          <p className="muted">
            <code>{project.slug}</code> · {project.status}
            {!isAdmin && role && ` · You are a ${role}: only admins and owners can change environments.`}
          </p>
        )}
        <ErrorText error={error} />
        {envs === null && !error && <p>Loading…</p>}
        {envs?.length === 0 && <p className="muted">This project has no environments.</p>}
      </section>
      {envs?.map((env) => (
        <EnvironmentCard key={env.id} projectId={projectId} env={env} onSaved={replace} />
      ))}
    </>
  );
}

function EnvironmentCard({ projectId, env, onSaved }: { projectId: string; env: Environment; onSaved: (env: Environment) => void }) {
  const [url, setUrl] = useState(env.url ?? '');
  const [hook, setHook] = useState('');
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  const titleId = `env-${env.id}-title`;

  const save = (patch: { url?: string | null; deployHookUrl?: string | null }, done: string) => {
    setSaved(null);
    return run(async () => {
      const { data } = await trpc.mk.projects.updateEnvironment.mutate({ id: projectId, envId: env.id, ...patch });
      onSaved(data);
      if (patch.url !== undefined) setUrl(data.url ?? '');
      setHook('');
      setSaved(done);
    });
  };

  return (
    <section className="card env" aria-labelledby={titleId} data-env={env.name}>
      <div className="env-head">
        <h2 id={titleId} className="env-name">
          {env.name}
        </h2>
        <span className={`badge badge-${STATUS_BADGE[env.status]}`} data-testid="env-status">
          {env.status}
        </span>
      </div>
      <dl className="facts">
        <dt>URL</dt>
        <dd data-testid="env-url">
          {env.url ? (
            <a href={env.url} target="_blank" rel="noreferrer">
              {env.url}
            </a>
          ) : (
            <span className="muted">not set</span>
          )}
        </dd>
        <dt>Health</dt>
        <dd data-testid="env-health">
          {env.healthStatus ? (
            <>
              <span className={`badge badge-${HEALTH_BADGE[env.healthStatus]}`}>{env.healthStatus}</span>
              <span className="muted"> · {env.healthCheckedAt ? `checked ${formatTime(env.healthCheckedAt)}` : 'not checked yet'}</span>
            </>
          ) : (
            <span className="muted">not checked yet</span>
          )}
        </dd>
        <dt>Last deployed</dt>
        <dd data-testid="env-last-deployed">{env.lastDeployedAt ? formatTime(env.lastDeployedAt) : <span className="muted">never</span>}</dd>
      </dl>
      <Form
        busy={busy}
        onSubmit={() => {
          // An emptied URL field means "no URL"; an empty hook field means "keep the hook".
          const trimmedHook = hook.trim();
          return save({ url: url.trim() || null, ...(trimmedHook ? { deployHookUrl: trimmedHook } : {}) }, trimmedHook ? 'Saved, with the new deploy hook.' : 'Saved.');
        }}
      >
        <div className="env-fields">
          <Field label="URL" name="url" type="url" value={url} onChange={setUrl} autoComplete="off" />
          <Field label="New deploy hook URL (leave empty to keep the current one)" name="deployHookUrl" type="url" value={hook} onChange={setHook} autoComplete="off" />
        </div>
        <p className="muted env-hint">The deploy hook is write-only: Baton never shows it again, not even to admins.</p>
        <ErrorText error={error} />
        {saved && <p role="status">{saved}</p>}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="danger" disabled={busy} onClick={() => void save({ deployHookUrl: null }, 'Deploy hook removed.')}>
            Remove deploy hook
          </button>
        </div>
      </Form>
    </section>
  );
}
