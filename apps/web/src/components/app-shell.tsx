import { useEffect, useState, type ReactNode } from 'react';
import { Link, Outlet, useRouter, useRouterState } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc.ts';
import { setActiveOrgId, useActiveOrgId } from '../lib/org.ts';
import { useActiveOrg, useSwitchOrg } from '../lib/session.ts';
import { useTheme } from '../lib/theme.ts';
import { isUnder } from '../lib/mutations.ts';
import { Button } from './button.tsx';
import { SelectField } from './field.tsx';

function Brand({ className }: { className?: string }) {
  return (
    <Link to="/" className={`brand${className ? ` ${className}` : ''}`}>
      Baton
    </Link>
  );
}

export function ThemeToggle() {
  const { theme, toggle } = useTheme();
  return (
    <Button variant="ghost" className="theme-toggle" aria-pressed={theme === 'dark'} onClick={toggle}>
      <span aria-hidden="true">{theme === 'dark' ? '☾' : '☀'}</span> Dark theme
    </Button>
  );
}

function NavLink({ to, children, exact }: { to: '/' | '/runs' | '/projects' | '/handoffs' | '/settings' | '/settings/members' | '/settings/api-keys' | '/admin/outbox'; children: ReactNode; exact?: boolean }) {
  return (
    <li>
      <Link to={to} className="nav-link" activeOptions={{ exact: exact ?? false, includeSearch: false }}>
        {children}
      </Link>
    </li>
  );
}

/** Built from the same Field as every form; switching resets what the old org showed (useSwitchOrg). */
function OrgSwitcher() {
  const { me, orgId } = useActiveOrg();
  const switchOrg = useSwitchOrg();
  if (me.organizations.length === 0) return null;
  return (
    <SelectField label="Organization" name="activeOrg" className="org-switcher" value={orgId ?? ''} onChange={(id) => void switchOrg(id)}>
      {me.organizations.map((o) => (
        <option key={o.id} value={o.id}>
          {o.name} ({o.role})
        </option>
      ))}
    </SelectField>
  );
}

function UserMenu() {
  const { me } = useActiveOrg();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const logout = useMutation(trpc.mk.auth.logout.mutationOptions());
  const signOut = async () => {
    try {
      await logout.mutateAsync();
    } finally {
      // Leave the signed-in pages before forgetting the org and the cache, so none of them refetches.
      await router.navigate({ to: '/login' });
      setActiveOrgId(null);
      queryClient.clear();
    }
  };
  return (
    <div className="user-menu">
      <p className="user-who">
        <span data-testid="user-name" className="user-name">
          {me.user.name}
        </span>
        <span className="user-email">{me.user.email}</span>
      </p>
      <div className="user-actions">
        <Button variant="secondary" onClick={() => void signOut()} busy={logout.isPending}>
          Sign out
        </Button>
        <ThemeToggle />
      </div>
    </div>
  );
}

/** While a run is in progress it may ask for approval at any moment: look often. */
const ACTIVE_REFRESH_MS = 2_000;
/**
 * With nothing in progress only a new run can change the count, and one started from this tab is
 * noticed at once (below); this catches runs started elsewhere (the API, another member) soon enough.
 */
const IDLE_REFRESH_MS = 5_000;

/**
 * Runs waiting for a person, on every page: the org's exact count (app.pendingApprovals), however
 * many runs it has. Any approve, deny, cancel or new run decided from this tab refetches it at once,
 * whichever page did it; others may also invalidate `trpc.app.pendingApprovals.queryKey()`.
 */
function PendingApprovals() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const query = useQuery(
    trpc.app.pendingApprovals.queryOptions(undefined, { refetchInterval: (q) => ((q.state.data?.inProgress ?? 0) > 0 ? ACTIVE_REFRESH_MS : IDLE_REFRESH_MS) }),
  );
  useEffect(() => {
    const changing = [trpc.mk.runs.approve, trpc.mk.runs.deny, trpc.mk.runs.cancel, trpc.mk.runs.create].map((p) => p.mutationKey());
    return queryClient.getMutationCache().subscribe((event) => {
      if (event.type !== 'updated' || event.action.type !== 'success') return;
      const key = event.mutation.options.mutationKey;
      if (key && changing.some((k) => isUnder(k, key))) void queryClient.invalidateQueries({ queryKey: trpc.app.pendingApprovals.queryKey() });
    });
  }, [queryClient, trpc]);
  if (!query.data) return null;
  const n = query.data.count;
  return (
    <Link to="/runs" className={`pending-approvals${n > 0 ? ' has-pending' : ''}`} data-testid="pending-approvals" data-count={n}>
      {n === 0 ? 'No approvals waiting' : `${n} waiting for approval`}
    </Link>
  );
}

/** The signed-in layout: sidebar (a menu on phones), the approvals count, and the page. */
export function AppShell() {
  const { me } = useActiveOrg();
  const orgId = useActiveOrgId();
  const [menuOpen, setMenuOpen] = useState(false);
  const pathname = useRouterState({ select: (s) => s.location.pathname });

  useEffect(() => setMenuOpen(false), [pathname]);
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setMenuOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  return (
    <div className={`shell${menuOpen ? ' menu-open' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside id="sidebar" className="sidebar" aria-label="Sidebar">
        <Brand className="sidebar-brand" />
        <nav aria-label="Main">
          <ul className="nav-list">
            <NavLink to="/" exact>
              Overview
            </NavLink>
            <NavLink to="/runs">Runs</NavLink>
            <NavLink to="/projects">Projects</NavLink>
            <NavLink to="/handoffs">Handoffs</NavLink>
          </ul>
          <p className="nav-group">Settings</p>
          <ul className="nav-list">
            <NavLink to="/settings" exact>
              Organization settings
            </NavLink>
            <NavLink to="/settings/members">Members</NavLink>
            <NavLink to="/settings/api-keys">API keys</NavLink>
            {me.user.isInstanceAdmin && <NavLink to="/admin/outbox">Outbox</NavLink>}
            <li>
              {/* Served by the server, not the SPA: a full page load. */}
              <a className="nav-link" href="/docs">
                API docs
              </a>
            </li>
          </ul>
        </nav>
        <div className="sidebar-foot">
          <OrgSwitcher />
          <UserMenu />
        </div>
      </aside>
      {/* The open menu covers the page on phones; a tap beside it closes it (Esc and the Menu button do too). */}
      <div className="menu-backdrop" onClick={() => setMenuOpen(false)} />
      <div className="main-col">
        <header className="topbar">
          <button type="button" className="btn btn-ghost menu-button" aria-expanded={menuOpen} aria-controls="sidebar" onClick={() => setMenuOpen((o) => !o)}>
            Menu
          </button>
          <Brand className="topbar-brand" />
          <PendingApprovals />
        </header>
        <main id="main" className="content">
          {/* Keyed by org: a page's own state (a picked project, a half-filled form) belongs to the org it was made in. */}
          <Outlet key={orgId ?? 'none'} />
        </main>
      </div>
    </div>
  );
}

/** Sign-in and other pages for visitors without a session. */
export function PublicShell() {
  return (
    <div className="public-shell">
      <header className="public-head">
        <Brand />
        <ThemeToggle />
      </header>
      <main id="main" className="public-main">
        <Outlet />
      </main>
    </div>
  );
}
