import { and, desc, eq, isNull, or, inArray } from 'drizzle-orm';
import { contextEvents, type DB } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { listActorOrgs } from '../orgs/list-orgs.ts';
import { newPrefixedTimeId } from '../util/ids.ts';
import { prepared } from '../util/prepared.ts';
import { BATON_SOURCE, type TContextEvent, type TIngestEventsInput, type TListEventsInput } from './context-event.types.ts';
import { recordFacets } from './context-facets.ts';
import { relayProject } from './relay-access.ts';

export type ContextEventRow = typeof contextEvents.$inferSelect;

const FUTURE_SKEW_MS = 5 * 60_000;


export function renderContextEvent(e: ContextEventRow): TContextEvent {
  return {
    id: e.id,
    user_id: e.userId,
    project_id: e.projectId,
    source: e.source,
    event_type: e.eventType,
    title: e.title,
    content: e.content,
    resource: e.resource,
    branch: e.branch,
    priority: e.priority,
    url: e.url,
    author: e.author,
    run_id: e.runId,
    created_at: e.createdAt,
  };
}

/**
 * Records activity from an outside source into a project's context stream (or, without a
 * project, the key owner's personal stream). Writing to a project needs the member role. The
 * batch is one commit; events whose external_id the project already holds are skipped, so a
 * connector may resend after a timeout without duplicating anything.
 */
export function ingestContextEvents(ctx: CoreContext, actor: Actor, input: TIngestEventsInput) {
  const target = input.project_id ? relayProject(ctx, actor, input.project_id, 'member').project : null;
  if (input.events.some((e) => e.source === BATON_SOURCE)) throw badRequest(`events.source: "${BATON_SOURCE}" is reserved for Baton's own runs`);
  const now = ctx.now();
  // A little clock skew is fine; an event dated in the future would sit on top of the stream for good.
  const latest = now.getTime() + FUTURE_SKEW_MS;
  if (input.events.some((e) => e.created_at && Date.parse(e.created_at) > latest)) throw badRequest('events.created_at: must not be in the future');
  const ingestedAt = now.toISOString();
  const rows = input.events.map((e) => ({
    id: newPrefixedTimeId('ev'),
    orgId: target?.orgId ?? null,
    projectId: target?.id ?? null,
    userId: actor.userId,
    source: e.source,
    eventType: e.event_type,
    title: e.title,
    content: e.content,
    resource: e.resource ?? null,
    branch: e.branch ?? null,
    priority: e.priority ?? null,
    url: e.url ?? null,
    author: e.author ?? null,
    externalId: e.external_id ?? null,
    runId: null,
    createdAt: e.created_at ? new Date(e.created_at).toISOString() : ingestedAt,
    ingestedAt,
  }));
  const inserted = withTransaction(ctx, () => {
    const fresh = rows.filter((r) => ctx.db.insert(contextEvents).values(r).onConflictDoNothing().run().changes === 1);
    recordFacets(ctx, target?.id ?? null, fresh, ingestedAt);
    return fresh;
  });
  return { events: inserted.map(renderContextEvent), ingested: inserted.length, duplicates: rows.length - inserted.length };
}

/**
 * Recent context events, newest first. With project_id: the project's stream (any role). Without:
 * the key owner's personal stream — events they recorded, in no project or in a project of an org
 * they still belong to.
 */
export function listContextEvents(ctx: CoreContext, actor: Actor, input: TListEventsInput) {
  const bySource = input.source ? eq(contextEvents.source, input.source) : undefined;
  const order = [desc(contextEvents.createdAt), desc(contextEvents.id)] as const;
  let rows: ContextEventRow[];
  if (input.project_id) {
    const { project } = relayProject(ctx, actor, input.project_id);
    rows = ctx.db
      .select()
      .from(contextEvents)
      .where(and(eq(contextEvents.projectId, project.id), bySource))
      .orderBy(...order)
      .limit(input.limit)
      .all();
  } else {
    const orgIds = listActorOrgs(ctx, actor).map((o) => o.org.id);
    const reachable = orgIds.length ? or(isNull(contextEvents.orgId), inArray(contextEvents.orgId, orgIds)) : isNull(contextEvents.orgId);
    rows = ctx.db
      .select()
      .from(contextEvents)
      .where(and(eq(contextEvents.userId, actor.userId), bySource, reachable))
      .orderBy(...order)
      .limit(input.limit)
      .all();
  }
  return { events: rows.map(renderContextEvent) };
}

/** Run events worth a line in the project's story; the rest (tool calls, costs) stay in the run. */
function runContextLine(eventType: string, data: Record<string, unknown>, request: string): { type: string; title: string; content: string } | null {
  const short = request.length > 80 ? `${request.slice(0, 77)}...` : request;
  if (eventType === 'stage_transition') {
    if (data.from === null) return { type: 'run_created', title: `Run started: ${short}`, content: request };
    const to = String(data.to);
    if (to === 'completed' || to === 'failed' || to === 'cancelled') {
      const reason = typeof data.reason === 'string' ? `\n${to === 'failed' ? 'Failed' : 'Reason'}: ${data.reason}` : '';
      return { type: `run_${to}`, title: `Run ${to}: ${short}`, content: request + reason };
    }
    return null;
  }
  if (eventType === 'approval_requested') {
    const action = typeof data.actionSummary === 'string' ? data.actionSummary : 'an action';
    const why = typeof data.reason === 'string' ? ` (${data.reason})` : '';
    return { type: 'approval_requested', title: `Approval requested: ${action}`, content: `Approval requested for ${action}${why} in the run "${short}"` };
  }
  return null;
}

// A denial needs no line of its own: it cancels the run, and run_cancelled carries who and why.
const RUN_CONTEXT_TYPES = new Set(['stage_transition', 'approval_requested']);

/**
 * Copies a run's milestones (started, finished, approvals asked for) into its project's
 * context stream, in the caller's transaction, so handoffs see what agents did. Runs without a
 * project go to their creator's personal stream.
 */
export function recordRunContext(ctx: CoreContext, runId: string, events: ReadonlyArray<{ eventType: string; data: Record<string, unknown> }>, createdAt: string): void {
  if (!events.some((e) => RUN_CONTEXT_TYPES.has(e.eventType))) return;
  const stmt = runContextStatements(ctx.db);
  const run = stmt.run.get(runId);
  if (!run) return;
  for (const e of events) {
    if (!RUN_CONTEXT_TYPES.has(e.eventType)) continue;
    const line = runContextLine(e.eventType, e.data, run.request_text);
    if (!line) continue;
    stmt.insert.run(newPrefixedTimeId('ev'), run.org_id, run.project_id, run.user_id, BATON_SOURCE, line.type, line.title, line.content, runId, createdAt, createdAt);
    recordFacets(ctx, run.project_id, [{ source: BATON_SOURCE, eventType: line.type }], createdAt);
  }
}

// Plain statements: this runs inside the event append, Baton's hottest write.
const runContextStatements = (db: DB) =>
  prepared(db, 'recordRunContext', (d) => ({
    run: d.$client.prepare<[string], { org_id: string; project_id: string | null; user_id: string; request_text: string }>(
      'SELECT org_id, project_id, user_id, request_text FROM runs WHERE id = ?',
    ),
    insert: d.$client.prepare(
      'INSERT INTO context_events (id, org_id, project_id, user_id, source, event_type, title, content, run_id, created_at, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
  }));
