import { createRootRouteWithContext, createRoute, createRouter, lazyRouteComponent, Outlet, redirect } from '@tanstack/react-router';
import type { QueryClient } from '@tanstack/react-query';
import { isUnauthorized, type TrpcProxy } from './lib/trpc.ts';
import { ensureActiveOrg } from './lib/session.ts';
import { handoffsSearch, loginSearch, resetPasswordSearch, runsSearch } from './lib/search.ts';
import { focusPageHeading } from './lib/page.ts';
import { runsListInput } from './lib/use-runs.ts';
import { AppShell, PublicShell } from './components/app-shell.tsx';
import { ErrorState } from './components/states.tsx';

/*
 * The route tree, code-based. Every page is its own chunk (lazyRouteComponent); its component reads
 * params and search through getRouteApi('<route id>'), e.g. getRouteApi('/_app/runs/$runId').
 * Pages never import this file, so adding a page never touches another page's chunk.
 */

export interface RouterContext {
  queryClient: QueryClient;
  trpc: TrpcProxy;
}

declare module '@tanstack/react-router' {
  interface StaticDataRouteOption {
    /** Where to go when the org is switched on this page (it shows one record of the old org). */
    leaveOnOrgSwitch?: '/' | '/runs' | '/projects' | '/handoffs';
  }
  interface Register {
    router: typeof router;
  }
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: lazyRouteComponent(() => import('./routes/not-found.tsx'), 'NotFoundPage'),
});

// Visitors without a session.
const publicRoute = createRoute({ getParentRoute: () => rootRoute, id: '_public', component: PublicShell });

const loginRoute = createRoute({
  getParentRoute: () => publicRoute,
  path: 'login',
  validateSearch: loginSearch,
  component: lazyRouteComponent(() => import('./routes/login.tsx'), 'LoginPage'),
});
const registerRoute = createRoute({ getParentRoute: () => publicRoute, path: 'register', component: lazyRouteComponent(() => import('./routes/register.tsx'), 'RegisterPage') });
const forgotPasswordRoute = createRoute({
  getParentRoute: () => publicRoute,
  path: 'forgot-password',
  component: lazyRouteComponent(() => import('./routes/forgot-password.tsx'), 'ForgotPasswordPage'),
});
const resetPasswordRoute = createRoute({
  getParentRoute: () => publicRoute,
  path: 'reset-password',
  validateSearch: resetPasswordSearch,
  component: lazyRouteComponent(() => import('./routes/reset-password.tsx'), 'ResetPasswordPage'),
});
/** Reachable signed out: the invitee may not have an account yet. */
const invitationRoute = createRoute({
  getParentRoute: () => publicRoute,
  path: 'invitations/$token',
  component: lazyRouteComponent(() => import('./routes/invitation.tsx'), 'InvitationPage'),
});

/** Signed-in pages: the guard loads the session (cached) or sends the visitor to /login. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: '_app',
  component: AppShell,
  beforeLoad: async ({ context, location }) => {
    try {
      const me = await context.queryClient.ensureQueryData(context.trpc.session.me.queryOptions());
      ensureActiveOrg(me);
    } catch (e) {
      if (!isUnauthorized(e)) throw e;
      throw redirect({ to: '/login', search: { redirect: location.href === '/' ? undefined : location.href } });
    }
  },
});

const app = <P extends string>(path: P) => ({ getParentRoute: () => appRoute, path }) as const;

const homeRoute = createRoute({ ...app('/'), component: lazyRouteComponent(() => import('./routes/home.tsx'), 'HomePage') });
const runsRoute = createRoute({
  ...app('runs'),
  validateSearch: runsSearch,
  loaderDeps: ({ search }) => search,
  // The list's request starts while the page's code downloads, not after it renders (the bench
  // measures the runs list's first render). Not awaited: the page shows its own loading state.
  loader: ({ context, deps }) => void context.queryClient.prefetchQuery(context.trpc.mk.runs.list.queryOptions(runsListInput(deps))),
  component: lazyRouteComponent(() => import('./routes/runs.tsx'), 'RunsPage'),
});
const runRoute = createRoute({
  ...app('runs/$runId'),
  staticData: { leaveOnOrgSwitch: '/runs' },
  component: lazyRouteComponent(() => import('./routes/run-detail.tsx'), 'RunDetailPage'),
});
const runReplayRoute = createRoute({
  ...app('runs/$runId/replay'),
  staticData: { leaveOnOrgSwitch: '/runs' },
  component: lazyRouteComponent(() => import('./routes/run-replay.tsx'), 'RunReplayPage'),
});
const projectsRoute = createRoute({ ...app('projects'), component: lazyRouteComponent(() => import('./routes/projects.tsx'), 'ProjectsPage') });
const projectRoute = createRoute({
  ...app('projects/$projectId'),
  staticData: { leaveOnOrgSwitch: '/projects' },
  component: lazyRouteComponent(() => import('./routes/project.tsx'), 'ProjectPage'),
});
const environmentsRoute = createRoute({
  ...app('projects/$projectId/environments'),
  staticData: { leaveOnOrgSwitch: '/' },
  component: lazyRouteComponent(() => import('./routes/environments.tsx'), 'EnvironmentsPage'),
});
const handoffsRoute = createRoute({ ...app('handoffs'), validateSearch: handoffsSearch, component: lazyRouteComponent(() => import('./routes/handoffs.tsx'), 'HandoffsPage') });
const handoffRoute = createRoute({
  ...app('handoffs/$handoffId'),
  staticData: { leaveOnOrgSwitch: '/handoffs' },
  component: lazyRouteComponent(() => import('./routes/handoff.tsx'), 'HandoffPage'),
});
const orgSettingsRoute = createRoute({ ...app('settings'), component: lazyRouteComponent(() => import('./routes/org-settings.tsx'), 'OrgSettingsPage') });
const membersRoute = createRoute({ ...app('settings/members'), component: lazyRouteComponent(() => import('./routes/members.tsx'), 'MembersPage') });
const apiKeysRoute = createRoute({ ...app('settings/api-keys'), component: lazyRouteComponent(() => import('./routes/api-keys.tsx'), 'ApiKeysPage') });
const outboxRoute = createRoute({ ...app('admin/outbox'), component: lazyRouteComponent(() => import('./routes/outbox.tsx'), 'OutboxPage') });
/** Any other address, signed in: the 404 inside the app's frame. */
const notFoundRoute = createRoute({ ...app('$'), component: lazyRouteComponent(() => import('./routes/not-found.tsx'), 'NotFoundPage') });

const routeTree = rootRoute.addChildren([
  publicRoute.addChildren([loginRoute, registerRoute, forgotPasswordRoute, resetPasswordRoute, invitationRoute]),
  appRoute.addChildren([
    homeRoute,
    runsRoute,
    runRoute,
    runReplayRoute,
    projectsRoute,
    projectRoute,
    environmentsRoute,
    handoffsRoute,
    handoffRoute,
    orgSettingsRoute,
    membersRoute,
    apiKeysRoute,
    outboxRoute,
    notFoundRoute,
  ]),
]);

export function createAppRouter(context: RouterContext) {
  const r = createRouter({
    routeTree,
    context,
    // Hovering a link loads its page's chunk; data is the query cache's business, not the router's.
    defaultPreload: 'intent',
    defaultPreloadStaleTime: 0,
    scrollRestoration: true,
    defaultErrorComponent: ({ error, reset }) => <ErrorState error={error} onRetry={reset} />,
  });
  r.subscribe('onResolved', ({ fromLocation, pathChanged }) => {
    if (fromLocation && pathChanged) focusPageHeading();
  });
  return r;
}

let leaving = false;

/**
 * The session ended under a signed-in page (expired, or signed out in another tab): go to /login
 * with a way back, then forget everything cached for that session. Several requests fail at once;
 * one navigation is enough. On the visitors' pages there is nothing to leave.
 */
export async function leaveForLogin(r: ReturnType<typeof createAppRouter>, queryClient: QueryClient) {
  if (leaving || !r.state.matches.some((m) => m.routeId === appRoute.id)) return;
  leaving = true;
  try {
    const back = r.latestLocation.href;
    await r.navigate({ to: '/login', search: { redirect: back === '/' ? undefined : back } });
    queryClient.clear();
  } finally {
    leaving = false;
  }
}

// Only for the Register type above; main.tsx creates the instance.
declare const router: ReturnType<typeof createAppRouter>;
