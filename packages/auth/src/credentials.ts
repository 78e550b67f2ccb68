import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { accessEpoch, apiKeys, BatchLane, inJsonArray, isTransaction, memberships, organizations, preparedQuery, type DB, type Store } from '@baton/db';
import { hashApiKey, surfaceOfKey, type Surface } from './api-keys.ts';
import { SESSION_COOKIE_NAME, type SessionAuth } from './lucia.ts';

export interface ResolvedActor {
  userId: string;
  via: 'session' | 'mk_key' | 'fr_key';
  keyId?: string;
  keyOrgId?: string | null;
  /**
   * For a key bound to one org: the org and the key owner's membership in it, read with the key
   * (null once the owner is no longer a member). Spares each request a second query for the access
   * every MightyKey call checks.
   */
  keyAccess?: KeyAccess | null;
  sessionId?: string;
  /** A Set-Cookie value to send back when Lucia extended the session. */
  refreshCookie?: string;
}

export interface KeyAccess {
  org: typeof organizations.$inferSelect;
  membership: typeof memberships.$inferSelect;
}

/** Unrevoked keys that `match`, each with its org and its owner's membership there (null when none). */
const liveKeys = (d: DB, match: SQL) =>
  d
    .select({
      id: apiKeys.id,
      keyHash: apiKeys.keyHash,
      userId: apiKeys.userId,
      orgId: apiKeys.orgId,
      kind: apiKeys.kind,
      lastUsedAt: apiKeys.lastUsedAt,
      org: organizations,
      membership: memberships,
    })
    .from(apiKeys)
    .leftJoin(memberships, and(eq(memberships.orgId, apiKeys.orgId), eq(memberships.userId, apiKeys.userId)))
    .leftJoin(organizations, eq(organizations.id, apiKeys.orgId))
    .where(and(match, isNull(apiKeys.revokedAt)));

// Prepared once per database (the store's reader): the key lookup runs on every API request.
const keyLookup = (db: DB) => preparedQuery(db, 'apiKeyByHash', (d) => liveKeys(d, eq(apiKeys.keyHash, sql.placeholder('keyHash'))));
/** keyLookup for several keys in one query (keyHashes: a JSON array). */
const keysLookup = (db: DB) => preparedQuery(db, 'apiKeysByHashes', (d) => liveKeys(d, inJsonArray(apiKeys.keyHash, sql.placeholder('keyHashes'))));

type FoundKey = NonNullable<Awaited<ReturnType<ReturnType<typeof keyLookup>['get']>>>;

/**
 * Where nothing is cached (Postgres, where the read caches are off, and every first use of a key),
 * the lookups of requests that arrive while one is in flight share the next query: one round trip
 * for a burst of API calls instead of one each (in a profile of POST /runs on Postgres the lookup
 * was one statement per request, while the five requests of a batch shared three).
 */
const keyLanes = new WeakMap<DB, BatchLane<string, FoundKey | undefined>>();

function findKey(db: DB, keyHash: string): Promise<FoundKey | undefined> {
  // A unit's reads must go through its own transaction, on their own.
  if (isTransaction(db)) return keyLookup(db).get({ keyHash });
  let lane = keyLanes.get(db);
  if (!lane) {
    lane = new BatchLane(async (hashes) => {
      const unique = [...new Set(hashes)];
      // One key alone takes the plain lookup, whose plan is a single index probe.
      const found = unique.length === 1 ? [await keyLookup(db).get({ keyHash: unique[0]! })] : await keysLookup(db).all({ keyHashes: JSON.stringify(unique) });
      const byHash = new Map(found.flatMap((k) => (k ? [[k.keyHash, k] as const] : [])));
      return hashes.map((h) => ({ value: byHash.get(h) }));
    });
    keyLanes.set(db, lane);
  }
  return lane.submit(keyHash);
}

interface KeyRow {
  id: string;
  userId: string;
  orgId: string | null;
  kind: string;
  lastUsedAt: string | null;
  /** Null for a key of no org (fr_) or whose owner has left it. Frozen: cached rows are shared. */
  access: KeyAccess | null;
}
interface CachedKey {
  epoch: number;
  row: KeyRow;
  /** When last_used_at was last written, as this process knows it. */
  lastUsedMs: number;
}

/**
 * Key lookups by hash, kept while the access epoch (packages/db/src/change-epochs.ts) stands still:
 * any change to api_keys (a revocation), users, organizations or memberships, in this process or
 * another, drops them. Only keys that exist are kept, so random keys cannot fill it.
 */
const keyCaches = new WeakMap<DB, Map<string, CachedKey>>();
const KEY_CACHE_MAX = 10_000;

async function lookupKey(db: DB, keyHash: string): Promise<{ row: KeyRow; entry: CachedKey | null } | null> {
  let cache = keyCaches.get(db);
  if (!cache) keyCaches.set(db, (cache = new Map()));
  const epoch = accessEpoch(db);
  const hit = cache.get(keyHash);
  if (hit && hit.epoch === epoch) return { row: hit.row, entry: hit };
  if (hit) cache.delete(keyHash);
  const found = await findKey(db, keyHash);
  if (!found) return null;
  const { org, membership, keyHash: _hash, ...key } = found;
  const row: KeyRow = Object.freeze({ ...key, access: org && membership ? Object.freeze({ org: Object.freeze(org), membership: Object.freeze(membership) }) : null });
  if (epoch === null || isTransaction(db)) return { row, entry: null };
  if (cache.size >= KEY_CACHE_MAX) cache.clear();
  const entry: CachedKey = { epoch, row, lastUsedMs: row.lastUsedAt ? Date.parse(row.lastUsedAt) : 0 };
  cache.set(keyHash, entry);
  return { row, entry };
}

/**
 * When this process last wrote a key's last_used_at, for keys it does not cache (on Postgres, where
 * the read caches are off): without it, every request that arrived while the minute's write waited
 * for its commit wrote it again, all on the one row.
 */
const lastUsedWritten = new Map<string, number>();

/** last_used_at is a hint for people, not an audit log: write it at most once a minute per key. */
const LAST_USED_RESOLUTION_MS = 60_000;

export type CredentialResult = { ok: true; actor: ResolvedActor | null } | { ok: false; reason: string };

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      // A malformed escape (`mk_session=%`) is no session, not a 500.
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** The 401 message for a key used on the other surface: the caller can fix that, so say what is wrong. */
export const WRONG_KEY_KIND: Record<Surface, string> = {
  mk: 'This is a Flow Relay key (fr_…); MightyKey /api/v1 needs an mk_live_/mk_test_ key or the mk_session cookie',
  relay: 'This is a MightyKey key (mk_live_…/mk_test_…); Flow Relay /relay/api/v1 needs an fr_ key',
};

export interface CredentialInput {
  authorization: string | undefined;
  cookie: string | undefined;
  /** Which surface the request came in on; 'trpc' is the SPA's own transport. */
  surface: Surface | 'trpc';
  secure: boolean;
}

/**
 * Turns a request's credentials into an actor. A bearer key must belong to the surface it is used on
 * (an fr_ key on /api/v1 is as wrong as no key). Flow Relay takes bearer keys only; MightyKey and the
 * SPA also take the mk_session cookie.
 *
 * The key is looked up on the store's reader; the last-use hint is written as a unit of its own.
 */
export async function resolveCredentials(store: Store, sessions: SessionAuth, input: CredentialInput): Promise<CredentialResult> {
  const auth = input.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) return { ok: false, reason: 'Malformed Authorization header; expected "Bearer <key>"' };
    const token = m[1]!;
    const keySurface = surfaceOfKey(token);
    if (keySurface === null) return { ok: false, reason: 'Invalid API key' };
    // Only the prefix is judged here, which the caller already knows: naming the kind leaks nothing.
    if (input.surface !== 'trpc' && keySurface !== input.surface) return { ok: false, reason: WRONG_KEY_KIND[input.surface] };
    const found = await lookupKey(store.reader, hashApiKey(token));
    if (!found) return { ok: false, reason: 'Invalid API key' };
    const { row, entry } = found;
    const now = Date.now();
    const lastUsedMs = entry ? entry.lastUsedMs : Math.max(row.lastUsedAt ? Date.parse(row.lastUsedAt) : 0, lastUsedWritten.get(row.id) ?? 0);
    if (now - lastUsedMs >= LAST_USED_RESOLUTION_MS) {
      // Marked first, so requests arriving while the write waits for its commit do not queue more.
      const mark = (ms: number) => {
        if (entry) entry.lastUsedMs = ms;
        else if (ms) lastUsedWritten.set(row.id, ms);
        else lastUsedWritten.delete(row.id);
      };
      if (!entry && lastUsedWritten.size >= KEY_CACHE_MAX) lastUsedWritten.clear();
      mark(now);
      try {
        await store.unit(async (tx) => {
          await tx.update(apiKeys).set({ lastUsedAt: new Date(now).toISOString() }).where(eq(apiKeys.id, row.id));
        }, 'api-key-last-used');
      } catch (e) {
        mark(lastUsedMs);
        throw e;
      }
    }
    return {
      ok: true,
      actor: { userId: row.userId, via: row.kind === 'fr' ? 'fr_key' : 'mk_key', keyId: row.id, keyOrgId: row.orgId, ...(row.orgId ? { keyAccess: row.access } : {}) },
    };
  }
  if (input.surface === 'relay') return { ok: true, actor: null };
  const sessionId = readCookie(input.cookie, SESSION_COOKIE_NAME);
  if (!sessionId) return { ok: true, actor: null };
  const session = await sessions.validate(sessionId);
  if (!session) return { ok: true, actor: null };
  return {
    ok: true,
    actor: {
      userId: session.userId,
      via: 'session',
      sessionId: session.sessionId,
      ...(session.fresh ? { refreshCookie: sessions.sessionCookie(session.sessionId, input.secure) } : {}),
    },
  };
}
