import * as z from 'zod/mini';
import { RUN_STATUSES } from './runs.ts';

/*
 * Search params of the routes that have them, validated: a filtered list is a shareable URL, and a
 * hand-edited or outdated one falls back to the defaults instead of an error page.
 */

const optional = <T extends z.core.SomeType>(schema: T) => z.catch(z.optional(schema), undefined);

export const runsSearch = z.object({
  status: optional(z.enum(RUN_STATUSES)),
  projectId: optional(z.string().check(z.maxLength(100))),
  /** Offset of the page's first run (the API pages by offset). */
  cursor: optional(z.number().check(z.int(), z.minimum(0))),
});
export type RunsSearch = z.infer<typeof runsSearch>;

export const HANDOFF_STATUSES = ['active', 'archived', 'all'] as const;
export type HandoffStatusFilter = (typeof HANDOFF_STATUSES)[number];

export const handoffsSearch = z.object({
  project: optional(z.string().check(z.maxLength(100))),
  status: optional(z.enum(HANDOFF_STATUSES)),
});
export type HandoffsSearch = z.infer<typeof handoffsSearch>;

export const loginSearch = z.object({
  /** Where to go once signed in: a path on this site only. */
  redirect: optional(z.string().check(z.regex(/^\/(?!\/)/))),
});

export const resetPasswordSearch = z.object({ token: z.catch(z.string(), '') });
