import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useTRPC, errorMessage, type RouterOutputs } from '../lib/trpc.ts';
import { PROJECT_STATUS_TONE, type Project } from '../lib/projects.ts';
import { needsApproval } from '../lib/runs.ts';
import { useActiveOrg } from '../lib/session.ts';
import { Badge, Button, Card, EmptyState, ErrorState, Field, Form, FormError, LoadingState, Page, QueryState, RelativeTime, TextAreaField, useToast, type Tone } from '../components/ui.ts';
import { DeleteProjectDialog, serverErrors, useInvalidateProjects, useSetProjectStatus } from '../components/project-form.tsx';
import { ContextEventTitle, ContextEventMeta } from '../components/context-event-parts.tsx';
import '../components/project-styles.css';

type Environment = RouterOutputs['mk']['projects']['environments']['data']['environments'][number];

const route = getRouteApi('/_app/projects/$projectId');

const LATEST_RUNS = 5;
const FEED_SIZE = 15;
/** Connectors and runs add events at any time; the feed catches up this often while shown. */
const FEED_REFRESH_MS = 15_000;

const ENV_ORDER = ['development', 'staging', 'production'];
/** The pipeline's order, whatever order the server lists them in; unknown names go last. */
const envRank = (name: string) => {
  const i = ENV_ORDER.indexOf(name);
  return i === -1 ? ENV_ORDER.length : i;
};
const HEALTH_TONE: Record<NonNullable<Environment['healthStatus']>, Tone> = { healthy: 'ok', degraded: 'warn', down: 'bad', unknown: 'muted' };

/** One project: its latest runs, its environments' health, its context feed, and its settings. */
export function ProjectPage() {
  const { projectId } = route.useParams();
  const trpc = useTRPC();
  const project = useQuery(trpc.mk.projects.get.queryOptions({ id: projectId }));
  const p = project.data?.data;
  return (
    <Page
      title={p?.name ?? 'Project'}
      back={<Link to="/projects">← Projects</Link>}
      description={
        p && (
          <span className="item-meta">
            <code>{p.slug}</code>
            <Badge tone={PROJECT_STATUS_TONE[p.status]} testId="project-status">
              {p.status}
            </Badge>
            <span>
              created <RelativeTime iso={p.createdAt} />
            </span>
          </span>
        )
      }
    >
      <ErrorState error={project.error} onRetry={() => void project.refetch()} />
      {!p && !project.error && <LoadingState />}
      {p && (
        <>
          {p.description && <p className="project-description">{p.description}</p>}
          <div className="project-grid">
            <RunsCard projectId={projectId} />
            <EnvironmentsCard projectId={projectId} />
          </div>
          <ContextFeedCard projectId={projectId} />
          <SettingsCard key={p.updatedAt} project={p} />
        </>
      )}
    </Page>
  );
}

function RunsCard({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const runs = useQuery(trpc.mk.runs.list.queryOptions({ projectId, limit: LATEST_RUNS, offset: 0 }));
  return (
    <Card title="Latest runs" testId="project-runs">
      <QueryState query={runs}>
        {({ data }) =>
          data.runs.length === 0 ? (
            <EmptyState title="No runs in this project yet." />
          ) : (
            <ul className="project-runs">
              {data.runs.map((r) => {
                const waiting = needsApproval(r);
                return (
                  <li key={r.id} data-run-id={r.id}>
                    <Link to="/runs/$runId" params={{ runId: r.id }} className="project-run-request">
                      {r.requestText}
                    </Link>
                    <span className="item-meta">
                      <Badge tone={waiting ? 'warn' : r.status === 'completed' ? 'ok' : r.status === 'failed' ? 'bad' : r.status === 'cancelled' ? 'muted' : 'active'}>
                        {waiting ? `${r.status} · needs approval` : r.status}
                      </Badge>
                      <RelativeTime iso={r.createdAt} />
                    </span>
                  </li>
                );
              })}
            </ul>
          )
        }
      </QueryState>
      <p className="card-foot">
        <Link to="/runs" search={{ projectId }}>
          All runs of this project{runs.data && runs.data.data.count > 0 ? ` (${runs.data.data.count})` : ''}
        </Link>
      </p>
    </Card>
  );
}

function EnvironmentsCard({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const envs = useQuery(trpc.mk.projects.environments.queryOptions({ id: projectId }));
  return (
    <Card title="Environments" testId="project-environments">
      <QueryState query={envs}>
        {({ data }) =>
          data.environments.length === 0 ? (
            <EmptyState title="This project has no environments." />
          ) : (
            <ul className="project-envs">
              {[...data.environments]
                .sort((a, b) => envRank(a.name) - envRank(b.name))
                .map((env) => (
                  <li key={env.id} data-env={env.name}>
                    <span className="env-line">
                      <span className="env-name">{env.name}</span>
                      <Badge tone={env.healthStatus ? HEALTH_TONE[env.healthStatus] : 'muted'} testId="env-health">
                        {env.healthStatus ?? 'not checked'}
                      </Badge>
                    </span>
                    <span className="env-url" data-testid="env-url">
                      {env.url ? (
                        <a href={env.url} target="_blank" rel="noreferrer">
                          {env.url}
                        </a>
                      ) : (
                        <span className="muted">No URL set</span>
                      )}
                    </span>
                    <span className="item-meta">
                      {env.healthCheckedAt ? (
                        <span>
                          checked <RelativeTime iso={env.healthCheckedAt} />
                        </span>
                      ) : (
                        <span>health not checked yet</span>
                      )}
                      <span>{env.lastDeployedAt ? <>deployed <RelativeTime iso={env.lastDeployedAt} /></> : 'never deployed'}</span>
                    </span>
                  </li>
                ))}
            </ul>
          )
        }
      </QueryState>
      <p className="card-foot">
        <Link to="/projects/$projectId/environments" params={{ projectId }}>
          Configure environments
        </Link>
      </p>
    </Card>
  );
}

function ContextFeedCard({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const events = useQuery(trpc.relay.events.list.queryOptions({ project_id: projectId, limit: FEED_SIZE }, { refetchInterval: FEED_REFRESH_MS }));
  return (
    <Card title="Context feed" testId="context-feed">
      <QueryState query={events}>
        {({ events: list }) =>
          list.length === 0 ? (
            <EmptyState title="No activity yet.">
              Connectors record events with <code>POST /relay/api/v1/events</code> and a Flow Relay key; this project’s runs add theirs by themselves.
            </EmptyState>
          ) : (
            <ol className="context-feed" aria-label="Recent context events">
              {list.map((e) => (
                <li key={e.id} data-source={e.source}>
                  <span className="project-run-request">
                    <ContextEventTitle event={e} />
                  </span>
                  <ContextEventMeta event={e} />
                </li>
              ))}
            </ol>
          )
        }
      </QueryState>
      <p className="card-foot">
        <Link to="/handoffs" search={{ project: projectId }}>
          Handoffs of this project
        </Link>
      </p>
    </Card>
  );
}

function SettingsCard({ project: p }: { project: Project }) {
  const trpc = useTRPC();
  const toast = useToast();
  const navigate = useNavigate();
  const { isAdmin } = useActiveOrg();
  const refresh = useInvalidateProjects();
  const [name, setName] = useState(p.name);
  const [description, setDescription] = useState(p.description ?? '');
  const [deleting, setDeleting] = useState(false);
  const save = useMutation(
    trpc.mk.projects.update.mutationOptions({
      onSuccess: async () => {
        toast('Project saved', 'success');
        await refresh();
      },
    }),
  );
  const setStatus = useSetProjectStatus();
  const errors = serverErrors(save.error);
  const archived = p.status === 'archived';

  return (
    <Card title="Settings" testId="project-settings">
      <Form busy={save.isPending} className="settings-form" onSubmit={() => save.mutate({ id: p.id, name: name.trim(), description: description.trim() })}>
        <Field label="Name" name="name" value={name} onChange={setName} required maxLength={255} autoComplete="off" error={errors.fields.name} />
        <TextAreaField label="Description" name="description" value={description} onChange={setDescription} maxLength={5000} rows={3} error={errors.fields.description} />
        <FormError error={errors.form} />
        <Button type="submit" busy={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </Button>
      </Form>
      <div className="danger-zone">
        <h3>{archived ? 'Archived' : 'Archive or delete'}</h3>
        <p className="muted">
          {archived
            ? 'This project is archived: it keeps its runs, environments and handoffs. Unarchive it to work on it again.'
            : 'Archiving hides the project from the current list and keeps everything. Deleting removes it for good'}
          {!archived && (isAdmin ? '.' : '; only admins and owners can delete.')}
        </p>
        <div className="actions">
          <Button variant="secondary" busy={setStatus.isPending} onClick={() => setStatus.mutate({ id: p.id, status: archived ? 'active' : 'archived' })}>
            {archived ? 'Unarchive project' : 'Archive project'}
          </Button>
          <Button variant="danger" onClick={() => setDeleting(true)}>
            Delete project
          </Button>
        </div>
        <FormError error={setStatus.error && errorMessage(setStatus.error)} />
      </div>
      <DeleteProjectDialog project={deleting ? p : null} onClose={() => setDeleting(false)} onDeleted={() => navigate({ to: '/projects' })} />
    </Card>
  );
}
