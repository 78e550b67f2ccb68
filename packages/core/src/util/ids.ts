import { randomUUID, randomBytes, randomFillSync, createHash } from 'node:crypto';

export const newId = (): string => randomUUID();

let lastMs = 0;
let seq = 0;

// randomBytes(16) costs about 5 µs on Node 20 (an allocation and a call into OpenSSL each time):
// 17% of a busy event-append loop, measured. Ids draw from one pooled buffer instead, refilled from
// the CSPRNG 4 KB at a time, as randomUUID does inside Node (its cache of 128 UUIDs).
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;
function random16(): Buffer {
  if (poolOffset + 16 > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const b = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return b;
}
/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then randomness, with a counter keeping ids made
 * in the same millisecond in order. For append-heavy tables (runs, run events, jobs, the credit
 * ledger): new rows land at the right edge of the primary-key index, and of the indexes that lead
 * with the id (a run's events by run id and sequence number), instead of on a random page, so a
 * commit writes far fewer pages. On PostgreSQL a random page is also a full-page image in the WAL on
 * its first change after each checkpoint: with random run ids, a batch of 9 POST /runs cost about a
 * fifth more database CPU against 100,000 runs and a million events (docs/PERFORMANCE.md). The id
 * reveals its creation time, which those rows carry anyway; it is still a UUID, as MightyKey's
 * contract asks of run ids.
 */
export function newTimeOrderedId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    seq++;
    if (seq > 0xfff) {
      ms = ++lastMs;
      seq = 0;
    }
  } else {
    lastMs = ms;
    seq = 0;
  }
  const b = random16();
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A prefixed id that sorts by creation (the UUIDv7 above, in hex): for context events, whose lists
 * break ties of created_at by id, so a batch recorded in one instant keeps its order.
 */
export const newPrefixedTimeId = (prefix: string): string => `${prefix}_${newTimeOrderedId().replaceAll('-', '')}`;

/** Prefixed ids for Flow Relay native records (ho_, ins_, job_, ev_). */
export const newPrefixedId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('base64url')}`;

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');
