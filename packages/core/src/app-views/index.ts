export * as appViewTypes from './app-views.types.ts';
export { getGettingStarted } from './getting-started.ts';
export { countPendingApprovals } from './pending-approvals.ts';
export { getHandoffSources } from './handoff-sources.ts';
