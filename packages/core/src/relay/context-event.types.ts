import { z } from 'zod';

/** The source Baton's own runs write under; ingestion may not use it, so it cannot be forged. */
export const BATON_SOURCE = 'baton';

/** A source id: lowercase, as Flow Relay names them (github, slack, linear, discord, baton). */
const ZSource = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lowercase letters, digits, "_", "." or "-"');

const optionalText = (max: number) => z.string().min(1).max(max).optional();

export const ZContextEvent = z.object({
  id: z.string(),
  user_id: z.string(),
  project_id: z.string().nullable(),
  source: z.string(),
  event_type: z.string(),
  title: z.string(),
  content: z.string(),
  resource: z.string().nullable(),
  branch: z.string().nullable(),
  priority: z.string().nullable(),
  url: z.string().nullable(),
  author: z.string().nullable(),
  run_id: z.string().nullable(),
  created_at: z.string(),
});
export type TContextEvent = z.infer<typeof ZContextEvent>;

export const ZListEventsInput = z.object({
  source: ZSource.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  project_id: z.string().min(1).optional(),
});
export type TListEventsInput = z.infer<typeof ZListEventsInput>;

export const ZEventList = z.object({ events: z.array(ZContextEvent) });

export const MAX_INGEST_BATCH = 500;

export const ZNewContextEvent = z.object({
  source: ZSource,
  event_type: z.string().min(1).max(80),
  title: z.string().min(1).max(500),
  content: z.string().max(20_000).default(''),
  resource: optionalText(300),
  branch: optionalText(300),
  priority: optionalText(40),
  // http(s) only: clients render it as a link, and javascript: or data: there would be an attack.
  url: z.url({ protocol: /^https?$/ }).max(2_000).optional(),
  author: optionalText(200),
  /** The source's id for the event; ingesting the same one again into a project is a no-op. */
  external_id: optionalText(200),
  /** When it happened at the source; defaults to now. */
  created_at: z.iso.datetime({ offset: true }).optional(),
});
export type TNewContextEvent = z.infer<typeof ZNewContextEvent>;

export const ZIngestEventsInput = z.object({
  /** Omitted: the events go to the key owner's personal stream. */
  project_id: z.string().min(1).optional(),
  events: z.array(ZNewContextEvent).min(1).max(MAX_INGEST_BATCH),
});
export type TIngestEventsInput = z.infer<typeof ZIngestEventsInput>;

export const ZIngestEventsResult = z.object({
  events: z.array(ZContextEvent),
  ingested: z.number().int(),
  /** Events skipped because their external_id was already ingested into the project. */
  duplicates: z.number().int(),
});
