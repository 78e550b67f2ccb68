import { z } from 'zod';

export const ZHandoff = z.object({
  id: z.string(),
  project_id: z.string(),
  title: z.string(),
  summary: z.string(),
  status: z.enum(['active', 'archived']),
  sources: z.array(z.string()),
  key_changes: z.array(z.string()),
  decisions: z.array(z.string()),
  open_questions: z.array(z.string()),
  next_steps: z.array(z.string()),
  related_event_ids: z.array(z.string()),
  scope_type: z.string(),
  project_name: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type THandoff = z.infer<typeof ZHandoff>;

export const ZListHandoffsInput = z.object({
  status: z.enum(['active', 'archived', 'all']).default('active'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  project_id: z.string().min(1).optional(),
});
export type TListHandoffsInput = z.infer<typeof ZListHandoffsInput>;

export const ZHandoffList = z.object({ handoffs: z.array(ZHandoff) });

const ZStrings = z.array(z.string().min(1).max(300)).max(50);

/** Per-source filters, AND-combined, keyed by source id (the contract's SourceFilter). */
export const ZSourceFilter = z.record(
  z.string().min(1).max(40),
  z.object({ projects: ZStrings.optional(), branches: ZStrings.optional(), eventTypes: ZStrings.optional(), priorities: ZStrings.optional() }),
);
export type TSourceFilter = z.infer<typeof ZSourceFilter>;

export const ZCreateHandoffInput = z.object({
  // Optional in the schema so that a missing one gets the contract's own message (see createHandoffJob).
  project_id: z.string().min(1).optional(),
  sources: z.array(z.string().min(1).max(40)).max(20).optional(),
  filters: ZSourceFilter.optional(),
});
export type TCreateHandoffInput = z.infer<typeof ZCreateHandoffInput>;

export const ZJobAccepted = z.object({ jobId: z.string(), status: z.literal('pending') });

export const ZUpdateHandoffInput = z.object({ id: z.string(), status: z.enum(['active', 'archived']) });

export const ZRelayJob = z.object({
  id: z.string(),
  project_id: z.string(),
  kind: z.string(),
  status: z.enum(['pending', 'running', 'completed', 'failed']),
  result_kind: z.string().nullable(),
  result_id: z.string().nullable(),
  error: z.string().nullable(),
  error_code: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const ZJobStatus = z.object({
  job: ZRelayJob,
  /** The generated artifact once the job has completed; null before, or if it was deleted since. */
  result: z.object({ id: z.string(), title: z.string() }).nullable(),
});

const ZOption = z.object({ value: z.string(), label: z.string() });
export const ZHandoffFilters = z.object({
  filters: z.record(
    z.string(),
    z.object({ projects: z.array(z.object({ id: z.string(), label: z.string() })), eventTypes: z.array(ZOption), priorities: z.array(ZOption), branches: z.array(ZOption) }),
  ),
});
export const ZHandoffFiltersInput = z.object({ project_id: z.string().min(1).optional() });
