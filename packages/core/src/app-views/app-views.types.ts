import { z } from 'zod';

/** The first-use steps, in the order the overview lists them. */
export const GETTING_STARTED_STEPS = ['createProject', 'startRun', 'approveAction', 'connectSource', 'createApiKey'] as const;
export type TGettingStartedStep = (typeof GETTING_STARTED_STEPS)[number];

export const ZGettingStarted = z.object({
  /** Which steps the active org has done, read from its data (never from a stored checklist). */
  steps: z.object({ createProject: z.boolean(), startRun: z.boolean(), approveAction: z.boolean(), connectSource: z.boolean(), createApiKey: z.boolean() }) satisfies z.ZodType<
    Record<TGettingStartedStep, boolean>
  >,
  /** Outside sources (github, slack, …) whose events reached one of the org's projects. */
  connectedSources: z.array(z.string()),
  /** True once every step is done. */
  complete: z.boolean(),
});
export type TGettingStarted = z.infer<typeof ZGettingStarted>;

export const ZPendingApprovals = z.object({
  /** The org's runs waiting for a person to approve or deny an action. */
  count: z.number().int(),
  /** The org's runs still in progress (waiting or not): any of them may ask for approval at any moment. */
  inProgress: z.number().int(),
});
export type TPendingApprovals = z.infer<typeof ZPendingApprovals>;

export const ZHandoffSourcesInput = z.object({ id: z.string().min(1).max(100) });

const ZSourceEvent = z.object({
  id: z.string(),
  source: z.string(),
  event_type: z.string(),
  title: z.string(),
  content: z.string(),
  url: z.string().nullable(),
  author: z.string().nullable(),
  run_id: z.string().nullable(),
  created_at: z.string(),
});
const ZItemEvents = z.array(z.array(z.string()));
export const ZHandoffSources = z.object({
  /** The context events the handoff names as related, newest first (those still stored). */
  events: z.array(ZSourceEvent),
  /** Per section, per item (same order as the handoff's lists): the ids of the events the item was drawn from. */
  items: z.object({ key_changes: ZItemEvents, decisions: ZItemEvents, open_questions: ZItemEvents, next_steps: ZItemEvents }),
});

export type THandoffSources = z.infer<typeof ZHandoffSources>;
