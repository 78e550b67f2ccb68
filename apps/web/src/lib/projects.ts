import type { RouterOutputs } from './trpc.ts';

export type Project = RouterOutputs['mk']['projects']['list']['data']['projects'][number];

/** Every page that needs the org's projects asks with this input, so they share one cache entry. */
export const ALL_PROJECTS = { limit: 100, offset: 0 } as const;
