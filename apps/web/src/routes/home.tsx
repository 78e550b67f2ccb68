import { useCallback, useEffect, useState } from 'react';
import { trpc, errorMessage, getActiveOrgId, setActiveOrgId, type Me, type RouterOutputs } from '../lib/trpc.ts';
import { Card, ErrorText, Field, Form, Link } from '../components/ui.tsx';

type Project = RouterOutputs['mk']['projects']['list']['data']['projects'][number];
type Org = RouterOutputs['mk']['orgs']['get']['data'];

export function OrgSwitcher({ me, onSwitch }: { me: Me; onSwitch: () => void }) {
  const active = getActiveOrgId() ?? me.organizations[0]?.id ?? '';
  return (
    <label className="org-switcher">
      <span>Organization</span>
      <select
        aria-label="Organization"
        value={active}
        onChange={(e) => {
          setActiveOrgId(e.target.value);
          onSwitch();
        }}
      >
        {me.organizations.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name} ({o.role})
          </option>
        ))}
      </select>
    </label>
  );
}

export function HomePage({ me, version, onChanged }: { me: Me; version: number; onChanged: () => void }) {
  const [org, setOrg] = useState<Org | null>(null);
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [newOrg, setNewOrg] = useState('');
  const [newProject, setNewProject] = useState('');

  const orgId = getActiveOrgId() ?? me.organizations[0]?.id;
  const load = useCallback(async () => {
    if (!orgId) return;
    try {
      const [o, p] = await Promise.all([trpc.mk.orgs.get.query({ id: orgId }), trpc.mk.projects.list.query({ limit: 100, offset: 0 })]);
      setOrg(o.data);
      setProjects(p.data.projects);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [orgId]);
  useEffect(() => {
    void load();
  }, [load, version]);

  return (
    <>
      <ErrorText error={error} />
      {org && (
        <Card title={org.name}>
          <dl className="facts">
            <dt>Your role</dt>
            <dd data-testid="org-role">{org.role}</dd>
            <dt>Autonomy level</dt>
            <dd>{org.autonomyLevel}</dd>
            <dt>Credits</dt>
            <dd>{org.creditBalance}</dd>
            <dt>Slug</dt>
            <dd>{org.slug}</dd>
          </dl>
        </Card>
      )}
      <Card title="Projects">
        {projects === null ? (
          <p>Loading…</p>
        ) : projects.length === 0 ? (
          <p>No projects yet.</p>
        ) : (
          <ul data-testid="projects">
            {projects.map((p) => (
              <li key={p.id}>
                <strong>{p.name}</strong> <code>{p.slug}</code> — {p.status} · <Link to={`/projects/${p.id}/environments`}>Environments</Link>
              </li>
            ))}
          </ul>
        )}
        <Form
          onSubmit={async () => {
            try {
              await trpc.mk.projects.create.mutate({ name: newProject });
              setNewProject('');
              await load();
            } catch (e) {
              setError(errorMessage(e));
            }
          }}
        >
          <Field label="New project name" name="projectName" value={newProject} onChange={setNewProject} required />
          <button type="submit">Create project</button>
        </Form>
      </Card>
      <Card title="New organization">
        <Form
          onSubmit={async () => {
            try {
              const { data } = await trpc.mk.orgs.create.mutate({ name: newOrg });
              setNewOrg('');
              setActiveOrgId(data.id);
              onChanged();
            } catch (e) {
              setError(errorMessage(e));
            }
          }}
        >
          <Field label="Organization name" name="orgName" value={newOrg} onChange={setNewOrg} required />
          <button type="submit">Create organization</button>
        </Form>
      </Card>
    </>
  );
}
