import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from '@tanstack/react-router';
import { useTRPC } from './trpc.ts';
import { setActiveOrgId } from './org.ts';
import { isUnder } from './mutations.ts';

/**
 * After the user's set of orgs changed under them (they joined, left, or deleted one): read the
 * session again, make `preferred` (or the first org they still have) the active one, drop every
 * org-scoped query so nothing of the old org stays on screen, and go home.
 */
export function useReenterOrgs() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  return async (preferred?: string) => {
    // Fresh, not cached: the guard of the signed-in pages trusts this entry.
    const me = await queryClient.fetchQuery({ ...trpc.session.me.queryOptions(), staleTime: 0 });
    const next = me.organizations.find((o) => o.id === preferred) ?? me.organizations[0] ?? null;
    setActiveOrgId(next?.id ?? null);
    const session = trpc.session.pathKey();
    queryClient.removeQueries({ predicate: (q) => !isUnder(session, q.queryKey) });
    await router.navigate({ to: '/' });
  };
}
