import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useTRPC, errorMessage } from '../lib/trpc.ts';
import { ALL_PROJECTS, PROJECT_STATUS_TONE, type Project } from '../lib/projects.ts';
import { Badge, Button, Card, EmptyState, FormError, Page, QueryState, RelativeTime, Table } from '../components/ui.ts';
import { DeleteProjectDialog, ProjectDialog, useSetProjectStatus } from '../components/project-form.tsx';
import '../components/project-styles.css';

const FILTERS = [
  ['current', 'Current'],
  ['archived', 'Archived'],
  ['all', 'All'],
] as const;
type Filter = (typeof FILTERS)[number][0];

const matches = (p: Project, f: Filter) => f === 'all' || (f === 'archived' ? p.status === 'archived' : p.status !== 'archived');

/** The active org's projects: create, edit, archive or bring back, delete. */
export function ProjectsPage() {
  const trpc = useTRPC();
  const projects = useQuery(trpc.mk.projects.list.queryOptions(ALL_PROJECTS));
  const [filter, setFilter] = useState<Filter>('current');
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Project | null>(null);
  const [deleting, setDeleting] = useState<Project | null>(null);

  return (
    <Page
      title="Projects"
      description="Each project has its own environments, runs and context stream."
      actions={<Button onClick={() => setCreating(true)}>New project</Button>}
    >
      <Card
        title="All projects"
        actions={
          <div className="segmented" role="radiogroup" aria-label="Show projects">
            {FILTERS.map(([value, label]) => (
              <label key={value} className={value === filter ? 'checked' : undefined}>
                <input type="radio" name="project-filter" value={value} checked={value === filter} onChange={() => setFilter(value)} />
                {label}
              </label>
            ))}
          </div>
        }
      >
        <QueryState query={projects}>
          {({ data }) => {
            const shown = data.projects.filter((p) => matches(p, filter));
            if (data.projects.length === 0) {
              return (
                <EmptyState title="No projects yet." testId="projects-empty">
                  <Button variant="link" onClick={() => setCreating(true)}>
                    Create the first one
                  </Button>
                  : runs, environments and handoffs each belong to a project.
                </EmptyState>
              );
            }
            return (
              <>
                {shown.length === 0 ? (
                  <EmptyState title={filter === 'archived' ? 'No archived projects.' : 'Every project is archived.'} />
                ) : (
                  <Table label="Projects" className="projects-table" data-testid="project-table">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Status</th>
                        <th scope="col">Created</th>
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {shown.map((p) => (
                        <ProjectRow key={p.id} project={p} onEdit={() => setEditing(p)} onDelete={() => setDeleting(p)} />
                      ))}
                    </tbody>
                  </Table>
                )}
                {data.count > data.projects.length && (
                  <p className="muted">
                    Showing the newest {data.projects.length} of {data.count} projects.
                  </p>
                )}
              </>
            );
          }}
        </QueryState>
      </Card>
      <ProjectDialog open={creating} onClose={() => setCreating(false)} />
      <ProjectDialog open={editing !== null} onClose={() => setEditing(null)} project={editing ?? undefined} />
      <DeleteProjectDialog project={deleting} onClose={() => setDeleting(null)} />
    </Page>
  );
}

function ProjectRow({ project: p, onEdit, onDelete }: { project: Project; onEdit: () => void; onDelete: () => void }) {
  const setStatus = useSetProjectStatus();
  const archived = p.status === 'archived';
  const nameId = `project-${p.id}-name`;
  return (
    <tr data-project-id={p.id} data-status={p.status}>
      <td data-label="Name">
        <Link to="/projects/$projectId" params={{ projectId: p.id }} id={nameId} className="project-name">
          {p.name}
        </Link>
        <code className="project-slug">{p.slug}</code>
        {p.description && <span className="project-description">{p.description}</span>}
      </td>
      <td data-label="Status">
        <Badge tone={PROJECT_STATUS_TONE[p.status]} testId="project-status">
          {p.status}
        </Badge>
      </td>
      <td data-label="Created">
        <RelativeTime iso={p.createdAt} />
      </td>
      <td className="project-actions">
        <div className="actions">
          <Button variant="secondary" onClick={onEdit} aria-describedby={nameId}>
            Edit
          </Button>
          <Button variant="secondary" busy={setStatus.isPending} onClick={() => setStatus.mutate({ id: p.id, status: archived ? 'active' : 'archived' })} aria-describedby={nameId}>
            {archived ? 'Unarchive' : 'Archive'}
          </Button>
          <Button variant="danger" onClick={onDelete} aria-describedby={nameId}>
            Delete
          </Button>
        </div>
        <FormError error={setStatus.error && errorMessage(setStatus.error)} />
      </td>
    </tr>
  );
}
