import { useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { useRouter } from '@tanstack/react-router';
import { useTRPC, type Me, type OrgMembership } from './trpc.ts';
import { getActiveOrgId, setActiveOrgId, useActiveOrgId } from './org.ts';
import { isUnder } from './mutations.ts';

/** The signed-in user and their orgs. Only inside the signed-in layout, whose guard loaded it. */
export function useMe(): Me {
  const trpc = useTRPC();
  return useSuspenseQuery(trpc.session.me.queryOptions()).data;
}

/** Keep the stored org only while the user still belongs to it; else their first org. */
export function ensureActiveOrg(me: Me) {
  const stored = getActiveOrgId();
  if (!stored || !me.organizations.some((o) => o.id === stored)) setActiveOrgId(me.organizations[0]?.id ?? null);
}

export interface ActiveOrg {
  me: Me;
  /** The org requests act in (x-org-id); null only for a user with no org at all. */
  org: OrgMembership | null;
  orgId: string | null;
  role: OrgMembership['role'] | null;
  isAdmin: boolean;
}

export function useActiveOrg(): ActiveOrg {
  const me = useMe();
  const id = useActiveOrgId();
  const org = me.organizations.find((o) => o.id === id) ?? me.organizations[0] ?? null;
  const role = org?.role ?? null;
  return { me, org, orgId: org?.id ?? null, role, isAdmin: role === 'owner' || role === 'admin' };
}

/**
 * Switches the active org. A page about one record of the old org (a run, a project) would only
 * say "not found" in the new one, so such routes name where to go instead (staticData.leaveOnOrgSwitch);
 * the navigation happens first, so no request for the old record goes out with the new org.
 * Then every org-scoped query is reset: no row of the old org stays on screen.
 */
export function useSwitchOrg() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const trpc = useTRPC();
  return async (orgId: string) => {
    const leaveTo = [...router.state.matches].reverse().find((m) => m.staticData.leaveOnOrgSwitch)?.staticData.leaveOnOrgSwitch;
    if (leaveTo) await router.navigate({ to: leaveTo });
    setActiveOrgId(orgId);
    const session = trpc.session.pathKey();
    await queryClient.resetQueries({ predicate: (q) => !isUnder(session, q.queryKey) });
  };
}
