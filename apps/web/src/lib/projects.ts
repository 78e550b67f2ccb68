import type { RouterOutputs } from './trpc.ts';
import type { Tone } from '../components/badge.tsx';

export type Project = RouterOutputs['mk']['projects']['list']['data']['projects'][number];
export type ProjectStatus = Project['status'];

/** Every page that needs the org's projects asks with this input, so they share one cache entry. */
export const ALL_PROJECTS = { limit: 100, offset: 0 } as const;

export const PROJECT_STATUS_TONE: Record<ProjectStatus, Tone> = { active: 'active', paused: 'warn', archived: 'muted' };
