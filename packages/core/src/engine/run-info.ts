import { asc, eq } from 'drizzle-orm';
import { projectEnvironments, projects } from '@baton/db';
import { join } from 'node:path';
import type { CoreContext } from '../context.ts';
import type { RunRow } from '../runs/render-run.ts';
import type { RunInfo } from './drivers/driver.ts';
import { ensureWorkspace, listFiles } from './tools/workspace.ts';

/** A project's runs share its workspace; a run without a project gets a scratch one of its own. */
export function workspaceFor(ctx: CoreContext, run: Pick<RunRow, 'id' | 'projectId'>): string {
  return join(ctx.config.engine.workspacesDir, run.projectId ? `project-${run.projectId}` : `run-${run.id}`);
}

export async function loadRunInfo(ctx: CoreContext, run: RunRow): Promise<{ info: RunInfo; workspace: string }> {
  const project = run.projectId ? (await ctx.db.select().from(projects).where(eq(projects.id, run.projectId)))[0] : undefined;
  const environments = project
    ? await ctx.db.select().from(projectEnvironments).where(eq(projectEnvironments.projectId, project.id)).orderBy(asc(projectEnvironments.createdAt))
    : [];
  const workspace = workspaceFor(ctx, run);
  await ensureWorkspace(workspace);
  const { files } = await listFiles(workspace, '.');
  return {
    workspace,
    info: {
      id: run.id,
      requestText: run.requestText,
      project: project ? { id: project.id, name: project.name, description: project.description, githubRepoUrl: project.githubRepoUrl } : null,
      environments,
      workspaceFiles: files,
    },
  };
}
