import { eq, sql } from 'drizzle-orm';
import { contextFacets, preparedQuery, rawStatement } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { relayProject } from './relay-access.ts';

interface FacetSource {
  source: string;
  eventType: string;
  resource?: string | null;
  branch?: string | null;
  priority?: string | null;
}

// A plain statement: it runs inside the event append, Baton's hottest write.
const upsert = rawStatement(
  'INSERT INTO context_facets (project_id, source, kind, value, last_seen_at) VALUES (?, ?, ?, ?, ?) ' +
    'ON CONFLICT (project_id, source, kind, value) DO UPDATE SET last_seen_at = ' +
    'CASE WHEN excluded.last_seen_at > context_facets.last_seen_at THEN excluded.last_seen_at ELSE context_facets.last_seen_at END',
);

/** Records the filter values of newly recorded events, in the caller's transaction; one write per distinct value. */
export async function recordFacets(ctx: CoreContext, projectId: string | null, events: readonly FacetSource[], at: string): Promise<void> {
  if (!projectId || !events.length) return;
  const seen = new Set<string>();
  const add = async (source: string, kind: string, value: string | null | undefined) => {
    if (!value) return;
    const key = `${source}\u0000${kind}\u0000${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    await upsert.run(ctx.db, projectId, source, kind, value, at);
  };
  for (const e of events) {
    await add(e.source, 'event_type', e.eventType);
    await add(e.source, 'resource', e.resource);
    await add(e.source, 'branch', e.branch);
    await add(e.source, 'priority', e.priority);
  }
}

/** "pull_request" → "Pull request". */
const labelOf = (value: string) => {
  const words = value.replace(/[_.-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : value;
};

type Option = { value: string; label: string };
export interface SourceFilters {
  projects: Array<{ id: string; label: string }>;
  eventTypes: Option[];
  priorities: Option[];
  branches: Option[];
}

/** The values a SourceFilter may name for a project, per source, from what its stream really holds. */
export async function listHandoffFilters(ctx: CoreContext, actor: Actor, projectId: string | undefined) {
  if (!projectId) throw badRequest('project_id is missing');
  const { project } = await relayProject(ctx, actor, projectId);
  const rows = await preparedQuery(ctx.db, 'listContextFacets', (d) =>
    d
      .select({ source: contextFacets.source, kind: contextFacets.kind, value: contextFacets.value })
      .from(contextFacets)
      .where(eq(contextFacets.projectId, sql.placeholder('projectId')))
      .orderBy(contextFacets.source, contextFacets.kind, contextFacets.value),
  ).all({ projectId: project.id });
  const filters: Record<string, SourceFilters> = {};
  for (const r of rows) {
    const f = (filters[r.source] ??= { projects: [], eventTypes: [], priorities: [], branches: [] });
    if (r.kind === 'resource') f.projects.push({ id: r.value, label: r.value });
    else if (r.kind === 'event_type') f.eventTypes.push({ value: r.value, label: labelOf(r.value) });
    else if (r.kind === 'priority') f.priorities.push({ value: r.value, label: labelOf(r.value) });
    else f.branches.push({ value: r.value, label: r.value });
  }
  return { filters };
}
