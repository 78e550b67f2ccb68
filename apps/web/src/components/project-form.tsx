import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { useTRPC, errorMessage } from '../lib/trpc.ts';
import { PROJECT_STATUS_TONE, type Project, type ProjectStatus } from '../lib/projects.ts';
import { invalidate } from '../lib/mutations.ts';
import { Button, Dialog, Field, Form, FormError, SelectField, TextAreaField, useToast } from './ui.ts';

type FieldName = 'name' | 'slug' | 'description' | 'githubRepoUrl' | 'status';
export interface ServerErrors {
  fields: Partial<Record<FieldName, string>>;
  /** What belongs to no one field (a refused role, a lost connection). */
  form: string | null;
}

const FIELDS: readonly string[] = ['name', 'slug', 'description', 'githubRepoUrl', 'status'];

/**
 * A refusal split by field, to show each message beside its field: input validation comes back as
 * the schema's issues (JSON, each with its path), a slug already taken as a 409 about the slug.
 */
export function serverErrors(e: unknown): ServerErrors {
  const none: ServerErrors = { fields: {}, form: null };
  if (!e) return none;
  if (e instanceof TRPCClientError) {
    try {
      const issues = JSON.parse(e.message) as unknown;
      if (Array.isArray(issues)) {
        const fields: ServerErrors['fields'] = {};
        const rest: string[] = [];
        for (const issue of issues as Array<{ path?: unknown[]; message?: string }>) {
          const field = String(issue.path?.[0] ?? '');
          if (FIELDS.includes(field)) fields[field as FieldName] ??= issue.message ?? 'Invalid value';
          else rest.push(issue.message ?? 'Invalid value');
        }
        return { fields, form: rest.length ? rest.join(' ') : null };
      }
    } catch {
      // Not a list of issues: a plain message, below.
    }
    if ((e.data as { code?: string } | undefined)?.code === 'CONFLICT' && /slug/i.test(e.message)) return { fields: { slug: e.message }, form: null };
  }
  return { fields: {}, form: errorMessage(e) };
}

/** Which queries show a project: the lists, the project itself, and the overview's checklist. */
export function useInvalidateProjects() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => invalidate(queryClient, trpc.mk.projects.list.queryKey(), trpc.mk.projects.get.queryKey(), trpc.app.gettingStarted.queryKey());
}

/**
 * Create a project, or edit one: name, description, GitHub repository, and (editing) its status.
 * The slug is chosen once, at creation (it names the project in URLs and the API).
 */
export function ProjectDialog({ open, onClose, project, onSaved }: { open: boolean; onClose: () => void; project?: Project; onSaved?: (p: Project) => void }) {
  // Mounted only while open, so each opening starts from the project as it is now.
  return open ? <ProjectDialogBody onClose={onClose} project={project} onSaved={onSaved} /> : null;
}

function ProjectDialogBody({ onClose, project, onSaved }: { onClose: () => void; project?: Project; onSaved?: (p: Project) => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const refresh = useInvalidateProjects();
  const [name, setName] = useState(project?.name ?? '');
  const [slug, setSlug] = useState('');
  const [description, setDescription] = useState(project?.description ?? '');
  const [repo, setRepo] = useState(project?.githubRepoUrl ?? '');
  const [status, setStatus] = useState<ProjectStatus>(project?.status ?? 'active');
  const [localError, setLocalError] = useState<string | null>(null);

  const done = async ({ data }: { data: Project }) => {
    toast(project ? `Saved “${data.name}”` : `Project “${data.name}” created`, 'success');
    onSaved?.(data);
    onClose();
    await refresh();
  };
  const create = useMutation(trpc.mk.projects.create.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.mk.projects.update.mutationOptions({ onSuccess: done }));
  const busy = create.isPending || update.isPending;
  const errors = serverErrors(project ? update.error : create.error);

  const submit = () => {
    setLocalError(null);
    if (!name.trim()) return setLocalError('Give the project a name.');
    const trimmedRepo = repo.trim();
    if (project) {
      update.mutate({ id: project.id, name: name.trim(), description: description.trim(), githubRepoUrl: trimmedRepo || null, status });
    } else {
      create.mutate({
        name: name.trim(),
        ...(slug.trim() ? { slug: slug.trim() } : {}),
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(trimmedRepo ? { githubRepoUrl: trimmedRepo } : {}),
      });
    }
  };

  return (
    <Dialog open onClose={onClose} title={project ? `Edit ${project.name}` : 'New project'}>
      <Form onSubmit={submit} busy={busy} className="project-form">
        <Field label="Name" name="name" value={name} onChange={setName} required maxLength={255} autoComplete="off" error={localError ?? errors.fields.name} />
        {!project && (
          <Field
            label="Slug (optional)"
            name="slug"
            value={slug}
            onChange={setSlug}
            maxLength={100}
            autoComplete="off"
            hint="Names the project in URLs and the API; made from the name when left empty. Lowercase letters, digits and dashes."
            error={errors.fields.slug}
          />
        )}
        <TextAreaField label="Description (optional)" name="description" value={description} onChange={setDescription} maxLength={5000} rows={3} error={errors.fields.description} />
        <Field label="GitHub repository URL (optional)" name="githubRepoUrl" type="url" value={repo} onChange={setRepo} maxLength={1000} autoComplete="off" placeholder="https://github.com/acme/app" error={errors.fields.githubRepoUrl} />
        {project && (
          <SelectField label="Status" name="status" value={status} onChange={(v) => setStatus(v as ProjectStatus)} hint="Paused and archived projects keep their runs, environments and handoffs." error={errors.fields.status}>
            {(Object.keys(PROJECT_STATUS_TONE) as ProjectStatus[]).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </SelectField>
        )}
        <FormError error={errors.form} />
        <div className="actions dialog-actions">
          <Button type="submit" busy={busy}>
            {project ? (busy ? 'Saving…' : 'Save') : busy ? 'Creating…' : 'Create project'}
          </Button>
          <Button variant="secondary" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
        </div>
      </Form>
    </Dialog>
  );
}

/** Asks before deleting for good; the server allows it to admins and owners only, and says so here. */
export function DeleteProjectDialog({ project, onClose, onDeleted }: { project: Project | null; onClose: () => void; onDeleted?: () => unknown }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.mk.projects.delete.mutationOptions({
      onSuccess: async (_data, { id }) => {
        toast(`Deleted “${project?.name ?? 'the project'}”`, 'success');
        // Leave its page first (if on it), then forget it: refetching it now would only say 404.
        await onDeleted?.();
        onClose();
        queryClient.removeQueries({ queryKey: trpc.mk.projects.get.queryKey({ id }) });
        queryClient.removeQueries({ queryKey: trpc.mk.projects.environments.queryKey({ id }) });
        await invalidate(queryClient, trpc.mk.projects.list.queryKey(), trpc.app.gettingStarted.queryKey());
      },
    }),
  );
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Dialog
      open={project !== null}
      onClose={close}
      title={`Delete ${project?.name ?? 'project'}?`}
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={remove.isPending}>
            Keep it
          </Button>
          <Button variant="danger" busy={remove.isPending} onClick={() => project && remove.mutate({ id: project.id })}>
            {remove.isPending ? 'Deleting…' : 'Delete for good'}
          </Button>
        </>
      }
    >
      <p>
        This deletes <strong>{project?.name}</strong>, its environments, context stream and handoffs. Its runs stay, without a project. This cannot be undone;
        archiving keeps everything and can be undone.
      </p>
      <FormError error={remove.error && errorMessage(remove.error)} />
    </Dialog>
  );
}

/** Archive or bring back, in one click (member role). */
export function useSetProjectStatus() {
  const trpc = useTRPC();
  const toast = useToast();
  const refresh = useInvalidateProjects();
  return useMutation(
    trpc.mk.projects.update.mutationOptions({
      onSuccess: async ({ data }) => {
        toast(data.status === 'archived' ? `Archived “${data.name}”` : `“${data.name}” is ${data.status} again`, 'success');
        await refresh();
      },
    }),
  );
}
