import { useState } from 'react';
import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useTRPC, errorMessage } from '../lib/trpc.ts';
import { useActiveOrg, useSwitchOrg } from '../lib/session.ts';
import { ALL_PROJECTS } from '../lib/projects.ts';
import { invalidate } from '../lib/mutations.ts';
import { Button, Card, EmptyState, Field, Form, FormError, Page, QueryState, useToast } from '../components/ui.ts';
import { ChecklistCard } from '../components/checklist-card.tsx';

/** The active org at a glance, its projects, and forms to add a project or an org. */
export function HomePage() {
  const { orgId } = useActiveOrg();
  const trpc = useTRPC();
  const org = useQuery(trpc.mk.orgs.get.queryOptions(orgId ? { id: orgId } : skipToken));
  return (
    <Page title="Overview" description="Your organization, its projects, and where to start.">
      {orgId && <ChecklistCard orgId={orgId} />}
      {org.error ? (
        <FormError error={errorMessage(org.error)} />
      ) : (
        org.data && (
          <Card title={org.data.data.name}>
            <dl className="facts">
              <dt>Your role</dt>
              <dd data-testid="org-role">{org.data.data.role}</dd>
              <dt>Autonomy level</dt>
              <dd>{org.data.data.autonomyLevel}</dd>
              <dt>Credits</dt>
              <dd>{org.data.data.creditBalance}</dd>
              <dt>Slug</dt>
              <dd>{org.data.data.slug}</dd>
            </dl>
          </Card>
        )
      )}
      <ProjectsCard />
      <NewOrgCard />
    </Page>
  );
}

function ProjectsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const projects = useQuery(trpc.mk.projects.list.queryOptions(ALL_PROJECTS));
  const [name, setName] = useState('');
  const create = useMutation(
    trpc.mk.projects.create.mutationOptions({
      onSuccess: async ({ data }) => {
        setName('');
        toast(`Project “${data.name}” created`, 'success');
        await invalidate(queryClient, trpc.mk.projects.list.queryKey(), trpc.app.gettingStarted.queryKey());
      },
    }),
  );
  return (
    <Card title="Projects">
      <QueryState query={projects}>
        {({ data }) =>
          data.projects.length === 0 ? (
            <EmptyState title="No projects yet." />
          ) : (
            <ul data-testid="projects" className="project-list">
              {data.projects.map((p) => (
                <li key={p.id}>
                  <Link to="/projects/$projectId" params={{ projectId: p.id }}>
                    <strong>{p.name}</strong>
                  </Link>{' '}
                  <code>{p.slug}</code> — {p.status} ·{' '}
                  <Link to="/projects/$projectId/environments" params={{ projectId: p.id }}>
                    Environments
                  </Link>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      <Form busy={create.isPending} onSubmit={() => create.mutate({ name })}>
        <Field label="New project name" name="projectName" value={name} onChange={setName} required />
        <FormError error={create.error && errorMessage(create.error)} />
        <Button type="submit" busy={create.isPending}>
          Create project
        </Button>
      </Form>
    </Card>
  );
}

function NewOrgCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const switchOrg = useSwitchOrg();
  const [name, setName] = useState('');
  const create = useMutation(
    trpc.mk.orgs.create.mutationOptions({
      onSuccess: async ({ data }) => {
        // The session lists the new org first, so the switcher can show it as picked.
        await queryClient.invalidateQueries({ queryKey: trpc.session.me.queryKey() });
        await switchOrg(data.id);
      },
    }),
  );
  return (
    <Card title="New organization">
      <Form busy={create.isPending} onSubmit={() => create.mutate({ name })}>
        <Field label="Organization name" name="orgName" value={name} onChange={setName} required />
        <FormError error={create.error && errorMessage(create.error)} />
        <Button type="submit" busy={create.isPending}>
          Create organization
        </Button>
      </Form>
    </Card>
  );
}
