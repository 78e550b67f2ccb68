import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTRPC, errorMessage, type RouterOutputs } from '../lib/trpc.ts';
import { useActiveOrg } from '../lib/session.ts';
import { Badge, Button, EmptyState, ErrorState, Field, Form, FormError, LoadingState, Page, RelativeTime, type Tone } from '../components/ui.ts';

type Environment = RouterOutputs['mk']['projects']['environments']['data']['environments'][number];
type EnvironmentList = RouterOutputs['mk']['projects']['environments'];

const route = getRouteApi('/_app/projects/$projectId/environments');

/** The pipeline's order, whatever order the server lists them in; unknown names go last. */
const ENV_ORDER = ['development', 'staging', 'production'];
const envRank = (name: string) => {
  const i = ENV_ORDER.indexOf(name);
  return i === -1 ? ENV_ORDER.length : i;
};

const STATUS_TONE: Record<Environment['status'], Tone> = { active: 'active', inactive: 'muted', deploying: 'warn', failed: 'bad' };
const HEALTH_TONE: Record<NonNullable<Environment['healthStatus']>, Tone> = { healthy: 'ok', degraded: 'warn', down: 'bad', unknown: 'muted' };

/** A project's environments: where each is served and how healthy it is; admins set its URL and deploy hook. */
export function EnvironmentsPage() {
  const { projectId } = route.useParams();
  const { role, isAdmin } = useActiveOrg();
  const trpc = useTRPC();
  const project = useQuery(trpc.mk.projects.get.queryOptions({ id: projectId }));
  const envs = useQuery(trpc.mk.projects.environments.queryOptions({ id: projectId }));
  const p = project.data?.data;
  const sorted = envs.data ? [...envs.data.data.environments].sort((a, b) => envRank(a.name) - envRank(b.name)) : null;

  return (
    <Page
      title={p ? `${p.name} — environments` : 'Environments'}
      back={
        <Link to="/projects/$projectId" params={{ projectId }}>
          ← {p?.name ?? 'Project'}
        </Link>
      }
      description={
        p && (
          <>
            <code>{p.slug}</code> · {p.status}
            {!isAdmin && role && ` · You are a ${role}: only admins and owners can change environments.`}
          </>
        )
      }
    >
      <ErrorState error={project.error ?? envs.error} onRetry={() => void Promise.all([project.refetch(), envs.refetch()])} />
      {!sorted ? !envs.error && <LoadingState /> : sorted.length === 0 ? <EmptyState title="This project has no environments." /> : sorted.map((env) => <EnvironmentCard key={env.id} projectId={projectId} env={env} />)}
    </Page>
  );
}

function EnvironmentCard({ projectId, env }: { projectId: string; env: Environment }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [url, setUrl] = useState(env.url ?? '');
  const [hook, setHook] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const titleId = `env-${env.id}-title`;
  const update = useMutation(
    trpc.mk.projects.updateEnvironment.mutationOptions({
      onMutate: () => setSaved(null),
      onSuccess: ({ data }, patch) => {
        queryClient.setQueryData(trpc.mk.projects.environments.queryKey({ id: projectId }), (old: EnvironmentList | undefined) =>
          old && { ...old, data: { ...old.data, environments: old.data.environments.map((e) => (e.id === data.id ? data : e)) } },
        );
        if (patch.url !== undefined) setUrl(data.url ?? '');
        setHook('');
      },
    }),
  );
  const save = (patch: { url?: string | null; deployHookUrl?: string | null }, done: string) => update.mutate({ id: projectId, envId: env.id, ...patch }, { onSuccess: () => setSaved(done) });

  return (
    <section className="card env" aria-labelledby={titleId} data-env={env.name}>
      <div className="env-head">
        <h2 id={titleId} className="env-name">
          {env.name}
        </h2>
        <Badge tone={STATUS_TONE[env.status]} testId="env-status">
          {env.status}
        </Badge>
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
              <Badge tone={HEALTH_TONE[env.healthStatus]}>{env.healthStatus}</Badge>
              <span className="muted"> · {env.healthCheckedAt ? <>checked <RelativeTime iso={env.healthCheckedAt} /></> : 'not checked yet'}</span>
            </>
          ) : (
            <span className="muted">not checked yet</span>
          )}
        </dd>
        <dt>Last deployed</dt>
        <dd data-testid="env-last-deployed">{env.lastDeployedAt ? <RelativeTime iso={env.lastDeployedAt} /> : <span className="muted">never</span>}</dd>
      </dl>
      <Form
        busy={update.isPending}
        onSubmit={() => {
          // An emptied URL field means "no URL"; an empty hook field means "keep the hook".
          const trimmedHook = hook.trim();
          save({ url: url.trim() || null, ...(trimmedHook ? { deployHookUrl: trimmedHook } : {}) }, trimmedHook ? 'Saved, with the new deploy hook.' : 'Saved.');
        }}
      >
        <div className="env-fields">
          <Field label="URL" name="url" type="url" value={url} onChange={setUrl} autoComplete="off" />
          <Field label="New deploy hook URL (leave empty to keep the current one)" name="deployHookUrl" type="url" value={hook} onChange={setHook} autoComplete="off" />
        </div>
        <p className="muted env-hint">The deploy hook is write-only: Baton never shows it again, not even to admins.</p>
        <FormError error={update.error && errorMessage(update.error)} />
        {saved && <p role="status">{saved}</p>}
        <div className="actions">
          <Button type="submit" busy={update.isPending}>
            {update.isPending ? 'Saving…' : 'Save'}
          </Button>
          <Button variant="danger" disabled={update.isPending} onClick={() => save({ deployHookUrl: null }, 'Deploy hook removed.')}>
            Remove deploy hook
          </Button>
        </div>
      </Form>
    </section>
  );
}
