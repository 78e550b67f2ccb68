import { router } from './trpc.ts';
import { authRouter } from './routers/mk/auth.ts';
import { orgsRouter } from './routers/mk/orgs.ts';
import { projectsRouter } from './routers/mk/projects.ts';
import { apiKeysRouter } from './routers/mk/api-keys.ts';
import { runsRouter } from './routers/mk/runs.ts';
import { policyRulesRouter } from './routers/mk/policy-rules.ts';
import { membersRouter } from './routers/mk/members.ts';
import { relayProjectsRouter } from './routers/relay/projects.ts';
import { relayEventsRouter } from './routers/relay/events.ts';
import { relayHandoffsRouter, relayJobsRouter } from './routers/relay/handoffs.ts';
import { sessionRouter } from './routers/app/session.ts';
import { appViewsRouter } from './routers/app/getting-started.ts';

/** MightyKey v1, served under /api/v1. Definition order is match order. */
export const mkRouter = router({
  auth: authRouter,
  runs: runsRouter,
  orgs: orgsRouter,
  projects: projectsRouter,
  apiKeys: apiKeysRouter,
  policyRules: policyRulesRouter,
  members: membersRouter,
});

/** Flow Relay v1, served under /relay/api/v1. */
export const relayRouter = router({
  projects: relayProjectsRouter,
  handoffs: relayHandoffsRouter,
  events: relayEventsRouter,
  jobs: relayJobsRouter,
});

/** Everything, for the SPA over /trpc. */
export const appRouter = router({
  mk: mkRouter,
  relay: relayRouter,
  session: sessionRouter,
  app: appViewsRouter,
});

export type AppRouter = typeof appRouter;
