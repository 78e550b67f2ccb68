import { and, desc, eq, sql } from 'drizzle-orm';
import { handoffs, isTransaction, preparedQuery, projects, rawStatement, readHandoffEpoch, relayJobs, type DB } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { listActorOrgs } from '../orgs/list-orgs.ts';
import { requireRole } from '../orgs/access.ts';
import { newPrefixedId } from '../util/ids.ts';
import { Lru } from '../util/lru.ts';
import { seal, sealedBody } from '../util/sealed.ts';
import { newestFirst } from '../util/time.ts';
import type { ContextEventRow } from './context-events.ts';
import { draftHandoff, type HandoffDraft } from './generate-handoff.ts';
import { ZHandoffList, type TCreateHandoffInput, type THandoff, type TListHandoffsInput, type TSourceFilter } from './handoff.types.ts';
import { orgAccessOr404, relayProject } from './relay-access.ts';

type HandoffRow = typeof handoffs.$inferSelect;
type RelayJobRow = typeof relayJobs.$inferSelect;

export function renderHandoff(h: HandoffRow, projectName: string): THandoff {
  return {
    id: h.id,
    project_id: h.projectId,
    title: h.title,
    summary: h.summary,
    status: h.status,
    sources: h.sources,
    key_changes: h.keyChanges,
    decisions: h.decisions,
    open_questions: h.openQuestions,
    next_steps: h.nextSteps,
    related_event_ids: h.relatedEventIds,
    scope_type: h.scopeType,
    project_name: projectName,
    created_at: h.createdAt,
    updated_at: h.updatedAt,
  };
}

const listColumns = { handoff: handoffs, projectName: projects.name };

/** One newest-first walk of an index: by org or by project, with or without a status. */
function handoffPage(db: DB, by: 'org' | 'project', status: 'active' | 'archived' | 'all') {
  return preparedQuery(db, `handoffPage:${by}:${status}`, (d) => {
    const scope = by === 'org' ? eq(handoffs.orgId, sql.placeholder('scope')) : eq(handoffs.projectId, sql.placeholder('scope'));
    return d
      .select(listColumns)
      .from(handoffs)
      .innerJoin(projects, eq(projects.id, handoffs.projectId))
      .where(status === 'all' ? scope : and(scope, eq(handoffs.status, status)))
      .orderBy(desc(handoffs.createdAt), desc(handoffs.id))
      .limit(sql.placeholder('limit'));
  });
}

const byCreatedAt = newestFirst((h: THandoff) => h.created_at);

type HandoffPage = { handoffs: THandoff[] };

/**
 * Pages as served, kept while the handoff epoch stands still (packages/db/src/change-epochs.ts: any
 * handoff written or deleted, or a project renamed, here or in another process or node; on Postgres
 * the epoch is read from the database, before the page). Each page is
 * sealed (util/sealed.ts): validated, frozen and serialized once, so a hit costs neither — a page
 * of 50 handoffs is 100–200 KB of JSON. Weighted by those bytes.
 */
const pageCaches = new WeakMap<DB, Lru<string, { epoch: number; page: HandoffPage }>>();
const PAGE_CACHE_BYTES = 32 * 1024 * 1024;

/** `epoch`: readHandoffEpoch, read by the caller before anything `build` reads. */
async function cachedPage(db: DB, epoch: number | null, key: string, build: () => Promise<THandoff[]>): Promise<HandoffPage> {
  let cache = pageCaches.get(db);
  if (!cache) pageCaches.set(db, (cache = new Lru(PAGE_CACHE_BYTES)));
  const hit = cache.get(key);
  if (hit && hit.epoch === epoch) return hit.page;
  const handoffs = await build();
  if (epoch === null || isTransaction(db)) return { handoffs };
  const page = seal(ZHandoffList, { handoffs });
  cache.set(key, { epoch, page }, sealedBody(page)?.length ?? 1);
  return page;
}

const readPage = (db: DB, epoch: number | null, by: 'org' | 'project', status: TListHandoffsInput['status'], scope: string, limit: number) =>
  cachedPage(db, epoch, `${by}\u0000${status}\u0000${scope}\u0000${limit}`, async () =>
    (await handoffPage(db, by, status).all({ scope, limit })).map((r) => renderHandoff(r.handoff, r.projectName)),
  );

/**
 * Handoffs across the projects the actor can reach, newest first. A key spans several orgs: each
 * org's index gives its newest `limit`, and those are merged, so the cost is limit × orgs however
 * many handoffs exist (one sorted query over all orgs would have to sort all of them).
 */
export async function listHandoffs(ctx: CoreContext, actor: Actor, input: TListHandoffsInput): Promise<HandoffPage> {
  if (input.project_id) {
    const { project } = await relayProject(ctx, actor, input.project_id);
    return readPage(ctx.db, await readHandoffEpoch(ctx.db), 'project', input.status, project.id, input.limit);
  }
  const orgIds = (await listActorOrgs(ctx, actor)).map((o) => o.org.id);
  const db = ctx.db;
  // Read once (on Postgres a round trip): the merged page and each org's page it is built from.
  const epoch = await readHandoffEpoch(db);
  if (orgIds.length === 1) return readPage(db, epoch, 'org', input.status, orgIds[0]!, input.limit);
  return cachedPage(db, epoch, `orgs\u0000${input.status}\u0000${orgIds.join(',')}\u0000${input.limit}`, async () => {
    const merged: THandoff[] = [];
    for (const id of orgIds) merged.push(...(await readPage(db, epoch, 'org', input.status, id, input.limit)).handoffs);
    return merged.sort(byCreatedAt).slice(0, input.limit);
  });
}

async function loadHandoff(ctx: CoreContext, actor: Actor, id: string) {
  const [row] = await ctx.db.select(listColumns).from(handoffs).innerJoin(projects, eq(projects.id, handoffs.projectId)).where(eq(handoffs.id, id));
  if (!row) throw notFound('Handoff not found');
  return { row, access: await orgAccessOr404(ctx, actor, row.handoff.orgId, 'Handoff not found') };
}

export async function getHandoff(ctx: CoreContext, actor: Actor, id: string): Promise<THandoff> {
  const { row } = await loadHandoff(ctx, actor, id);
  return renderHandoff(row.handoff, row.projectName);
}

/** Archives a handoff (or brings it back); needs the member role. */
export async function setHandoffStatus(ctx: CoreContext, actor: Actor, id: string, status: 'active' | 'archived'): Promise<THandoff> {
  const { row, access } = await loadHandoff(ctx, actor, id);
  requireRole(access, 'member');
  if (row.handoff.status === status) return renderHandoff(row.handoff, row.projectName);
  const [updated] = await withTransaction(ctx, async (ctx) =>
    await ctx.db.update(handoffs).set({ status, updatedAt: ctx.now().toISOString() }).where(eq(handoffs.id, id)).returning(),
  );
  return renderHandoff(updated!, row.projectName);
}

export const HANDOFF_JOB = 'relay.handoff';

/**
 * Accepts a handoff generation: the job record and the queued work are one commit, so a job
 * never stays pending with nothing behind it, and a crash before it runs loses nothing.
 */
export async function createHandoffJob(ctx: CoreContext, actor: Actor, input: TCreateHandoffInput) {
  if (!input.project_id) throw badRequest('project_id is missing');
  const { project } = await relayProject(ctx, actor, input.project_id);
  const now = ctx.now().toISOString();
  const id = newPrefixedId('job');
  await withTransaction(ctx, async (ctx) => {
    await ctx.db
      .insert(relayJobs)
      .values({
        id,
        orgId: project.orgId,
        projectId: project.id,
        userId: actor.userId,
        kind: 'project_handoff',
        status: 'pending',
        // What the job makes, known from the start; result_id names it once it exists.
        resultKind: 'handoff',
        input: { sources: input.sources ?? null, filters: input.filters ?? null },
        createdAt: now,
        updatedAt: now,
      });
    await enqueueJob(ctx, { name: HANDOFF_JOB, key: `relay:${id}`, payload: { jobId: id }, maxAttempts: 3 });
  });
  return { jobId: id, status: 'pending' as const };
}

function renderJob(j: RelayJobRow) {
  return {
    id: j.id,
    project_id: j.projectId,
    kind: j.kind,
    status: j.status,
    result_kind: j.resultKind,
    result_id: j.resultId,
    error: j.error,
    error_code: j.errorCode,
    created_at: j.createdAt,
    updated_at: j.updatedAt,
  };
}

/** A job and, once it has completed, what it made. Another tenant's job is 404. */
export async function getRelayJob(ctx: CoreContext, actor: Actor, jobId: string) {
  const [job] = await ctx.db.select().from(relayJobs).where(eq(relayJobs.id, jobId));
  if (!job) throw notFound('Job not found');
  await orgAccessOr404(ctx, actor, job.orgId, 'Job not found');
  let result: { id: string; title: string } | null = null;
  if (job.status === 'completed' && job.resultKind === 'handoff' && job.resultId) {
    result = (await ctx.db.select({ id: handoffs.id, title: handoffs.title }).from(handoffs).where(eq(handoffs.id, job.resultId)))[0] ?? null;
  }
  return { job: renderJob(job), result };
}

/** How many of the newest matching events a handoff reads. */
export const HANDOFF_EVENT_WINDOW = 300;
/** How many events one generation may examine while filtering, so a narrow filter on a huge stream stays bounded. */
const HANDOFF_SCAN_CAP = 20_000;

function matchesFilter(e: ContextEventRow, filters: TSourceFilter | null | undefined): boolean {
  const f = filters?.[e.source];
  if (!f) return true;
  if (f.projects?.length && !(e.resource && f.projects.includes(e.resource))) return false;
  if (f.branches?.length && !(e.branch && f.branches.includes(e.branch))) return false;
  if (f.eventTypes?.length && !f.eventTypes.includes(e.eventType)) return false;
  if (f.priorities?.length && !(e.priority && f.priorities.includes(e.priority))) return false;
  return true;
}

interface RawEvent {
  id: string;
  user_id: string;
  source: string;
  event_type: string;
  title: string;
  content: string;
  resource: string | null;
  branch: string | null;
  priority: string | null;
  author: string | null;
  created_at: string;
}
const toRow = (r: RawEvent) =>
  ({ id: r.id, userId: r.user_id, source: r.source, eventType: r.event_type, title: r.title, content: r.content, resource: r.resource, branch: r.branch, priority: r.priority, author: r.author, createdAt: r.created_at }) as ContextEventRow;

const EVENT_COLUMNS = 'id, user_id, source, event_type, title, content, resource, branch, priority, author, created_at';
/** Rows per read of a walk: most generations take one, a filter that matches little takes more. */
const WALK_BATCH = 500;
// Newest first from a position (exclusive), keyset-paged: the index is walked a batch at a time and
// the walk stops as soon as the window is full.
const walkProject = rawStatement<RawEvent>(
  `SELECT ${EVENT_COLUMNS} FROM context_events WHERE project_id = ? AND created_at > ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ${WALK_BATCH}`,
);
const walkSource = rawStatement<RawEvent>(
  `SELECT ${EVENT_COLUMNS} FROM context_events WHERE project_id = ? AND source = ? AND created_at > ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ${WALK_BATCH}`,
);

/** Matching events of one walk, newest first, until the window is full or the scan cap is reached. */
async function take(read: (before: { at: string; id: string }) => Promise<RawEvent[]>, filters: TSourceFilter | null | undefined): Promise<ContextEventRow[]> {
  const out: ContextEventRow[] = [];
  let examined = 0;
  // Past any real position (digits compare alike under every collation).
  let before = { at: '9999-12-31T23:59:59.999Z', id: '' };
  for (;;) {
    const batch = await read(before);
    for (const raw of batch) {
      const e = toRow(raw);
      if (matchesFilter(e, filters)) out.push(e);
      if (out.length >= HANDOFF_EVENT_WINDOW || ++examined >= HANDOFF_SCAN_CAP) return out;
    }
    if (batch.length < WALK_BATCH) return out;
    const last = batch.at(-1)!;
    before = { at: last.created_at, id: last.id };
  }
}

/** The newest events of a project that match a generation's sources and filters, newer than `after`. */
export async function selectHandoffEvents(ctx: CoreContext, projectId: string, input: { sources?: string[] | null; filters?: TSourceFilter | null }, after = ''): Promise<ContextEventRow[]> {
  const db = ctx.db;
  if (!input.sources?.length) return take((b) => walkProject.all(db, projectId, after, b.at, b.id), input.filters);
  // One index walk per source, merged: an IN list would sort every matching event first.
  const all: ContextEventRow[] = [];
  for (const s of new Set(input.sources)) all.push(...(await take((b) => walkSource.all(db, projectId, s, after, b.at, b.id), input.filters)));
  return all.sort(newestFirst((e) => e.createdAt)).slice(0, HANDOFF_EVENT_WINDOW);
}

/**
 * Drafts a handoff for a project: from the activity since its previous handoff, or when there has
 * been none since, from its latest activity.
 */
export async function draftProjectHandoff(ctx: CoreContext, project: { id: string; name: string }, input: { sources?: string[] | null; filters?: TSourceFilter | null }): Promise<HandoffDraft> {
  const [previous] = await ctx.db
    .select({ createdAt: handoffs.createdAt })
    .from(handoffs)
    .where(eq(handoffs.projectId, project.id))
    .orderBy(desc(handoffs.createdAt), desc(handoffs.id))
    .limit(1);
  let events = previous ? await selectHandoffEvents(ctx, project.id, input, previous.createdAt) : [];
  if (!events.length) events = await selectHandoffEvents(ctx, project.id, input);
  return draftHandoff(project.name, events);
}

/**
 * Stores a drafted handoff; the caller's transaction makes it visible with its job's completion
 * (outside one, it is a unit of its own).
 */
export async function insertHandoff(ctx: CoreContext, project: { id: string; orgId: string }, draft: HandoffDraft, createdBy: string | null): Promise<HandoffRow> {
  const now = ctx.now().toISOString();
  const [row] = await withTransaction(ctx, async (ctx) =>
    await ctx.db
      .insert(handoffs)
      .values({
        id: newPrefixedId('ho'),
        orgId: project.orgId,
        projectId: project.id,
        title: draft.title,
        summary: draft.summary,
        status: 'active',
        sources: draft.sources,
        keyChanges: draft.keyChanges,
        decisions: draft.decisions,
        openQuestions: draft.openQuestions,
        nextSteps: draft.nextSteps,
        relatedEventIds: draft.relatedEventIds,
        scopeType: 'project',
        createdBy,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
  );
  return row!;
}

export async function loadRelayJob(ctx: CoreContext, jobId: string): Promise<RelayJobRow | undefined> {
  return (await ctx.db.select().from(relayJobs).where(eq(relayJobs.id, jobId)))[0];
}

/** Updates a job's record: in the caller's transaction, or as a unit of its own outside one. */
export async function markRelayJob(ctx: CoreContext, jobId: string, set: Partial<Pick<RelayJobRow, 'status' | 'resultKind' | 'resultId' | 'error' | 'errorCode'>>): Promise<void> {
  await withTransaction(ctx, async (ctx) => {
    await ctx.db.update(relayJobs).set({ ...set, updatedAt: ctx.now().toISOString() }).where(eq(relayJobs.id, jobId));
  });
}

export const loadProjectRow = async (ctx: CoreContext, projectId: string) => (await ctx.db.select().from(projects).where(eq(projects.id, projectId)))[0];
